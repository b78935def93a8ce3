import { shortestFloat32 } from "./canonical.js";
import type { FieldSpec, ProtoMessage, ProtoSchema, ProtoValue } from "./schema.js";

function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function scalar(field: FieldSpec, value: ProtoValue): string {
  switch (field.type) {
    case "string":
      return quote(value as string);
    case "bytes":
      return quote(Buffer.from(value as string, "base64").toString("latin1"));
    case "float":
    case "double": {
      const n = value as number;
      if (Number.isNaN(n)) return "nan";
      if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
      return String(field.type === "float" ? shortestFloat32(n) : n);
    }
    default:
      return String(value);
  }
}

function isDefault(field: FieldSpec, value: ProtoValue, schema: ProtoSchema): boolean {
  if (field.type === "message" || field.oneof) return false;
  if (field.type === "enum")
    return value === 0 || schema.enums[field.typeName as string]?.[value as string] === 0;
  return value === 0 || value === "0" || value === "" || value === false;
}

/**
 * Canonical config.pbtxt: fields in .proto order, defaults left out, messages as
 * blocks, repeated scalars as `[ a, b ]` lists, repeated messages as a list of
 * blocks (the form Triton's docs use), maps as one `key`/`value` block per entry.
 */
export function writePbtxt(
  message: ProtoMessage,
  schema: ProtoSchema,
  typeName = schema.root,
  indent = "",
): string {
  const lines: string[] = [];
  const inner = `${indent}  `;
  for (const field of schema.messages[typeName]?.fields ?? []) {
    const value = message[field.name];
    if (value === undefined) continue;
    if (field.map) {
      const valueField = schema.messages[field.typeName as string]?.fields.find(
        (f) => f.name === "value",
      ) as FieldSpec;
      const keyField = schema.messages[field.typeName as string]?.fields.find(
        (f) => f.name === "key",
      ) as FieldSpec;
      for (const [key, entry] of Object.entries(value as Record<string, ProtoValue>)) {
        const keyText = keyField.type === "string" ? quote(key) : key;
        const valueText =
          valueField.type === "message"
            ? `value {\n${writePbtxt(entry as ProtoMessage, schema, valueField.typeName as string, `${inner}  `)}${inner}}`
            : `value: ${scalar(valueField, entry)}`;
        lines.push(`${indent}${field.name} {\n${inner}key: ${keyText}\n${inner}${valueText}\n${indent}}`);
      }
    } else if (field.repeated) {
      const items = value as ProtoValue[];
      if (items.length === 0) continue;
      if (field.type === "message") {
        const blocks = items.map(
          (item) =>
            `${inner}{\n${writePbtxt(item as ProtoMessage, schema, field.typeName as string, `${inner}  `)}${inner}}`,
        );
        lines.push(`${indent}${field.name} [\n${blocks.join(",\n")}\n${indent}]`);
      } else {
        lines.push(`${indent}${field.name}: [ ${items.map((v) => scalar(field, v)).join(", ")} ]`);
      }
    } else if (field.type === "message") {
      const body = writePbtxt(value as ProtoMessage, schema, field.typeName as string, inner);
      lines.push(body ? `${indent}${field.name} {\n${body}${indent}}` : `${indent}${field.name} { }`);
    } else if (!isDefault(field, value, schema)) {
      lines.push(`${indent}${field.name}: ${scalar(field, value)}`);
    }
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}
