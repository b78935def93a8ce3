import type { FieldSpec, ProtoMessage, ProtoSchema, ProtoValue } from "./schema.js";

/** Shortest decimal that reads back as the same float32, as protobuf's Python json_format prints floats. */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

function isDefault(field: FieldSpec, value: ProtoValue, schema: ProtoSchema): boolean {
  if (field.type === "message") return false;
  if (field.type === "enum") {
    const values = schema.enums[field.typeName as string] ?? {};
    return value === 0 || values[value as string] === 0;
  }
  return value === 0 || value === "0" || value === "" || value === false;
}

function scalarJson(field: FieldSpec, value: ProtoValue, schema: ProtoSchema): unknown {
  switch (field.type) {
    case "message":
      return toProtoJson(value as ProtoMessage, schema, field.typeName as string);
    case "int64":
    case "uint64":
      return String(value);
    case "float":
    case "double": {
      const n = value as number;
      if (Number.isNaN(n)) return "NaN";
      if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
      return field.type === "float" ? shortestFloat32(n) : n;
    }
    default:
      return value;
  }
}

/**
 * The message as Python's json_format.MessageToDict(preserving_proto_field_name=True)
 * prints it: proto3 defaults left out (except oneof members, which have presence),
 * 64-bit integers as strings, enums by name, maps as objects. Used to compare
 * mserve's parser with the real protobuf one.
 */
export function toProtoJson(
  message: ProtoMessage,
  schema: ProtoSchema,
  typeName = schema.root,
): Record<string, unknown> {
  const spec = schema.messages[typeName];
  const out: Record<string, unknown> = {};
  for (const field of spec?.fields ?? []) {
    const value = message[field.name];
    if (value === undefined) continue;
    if (field.map) {
      const entries = Object.entries(value as Record<string, ProtoValue>);
      if (entries.length === 0) continue;
      const valueField = schema.messages[field.typeName as string]?.fields.find(
        (f) => f.name === "value",
      ) as FieldSpec;
      out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, scalarJson(valueField, v, schema)]));
    } else if (field.repeated) {
      const items = value as ProtoValue[];
      if (items.length > 0) out[field.name] = items.map((v) => scalarJson(field, v, schema));
    } else if (field.oneof || !isDefault(field, value, schema)) {
      out[field.name] = scalarJson(field, value, schema);
    }
  }
  return out;
}
