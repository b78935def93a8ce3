import type { FieldSpec, ProtoMessage, ProtoSchema, ProtoValue, ScalarType } from "./schema.js";
import { PbtxtError, type Token, tokenize } from "./tokenizer.js";

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};
const TRUE = new Set(["true", "True", "t", "1"]);
const FALSE = new Set(["false", "False", "f", "0"]);
const FLOAT_WORDS: Record<string, number> = { inf: Infinity, infinity: Infinity, nan: Number.NaN };

/**
 * Parses protobuf text format against a schema, accepting what
 * google.protobuf's text_format.Parse accepts (checked by differential tests):
 * unknown fields, a non-repeated field given twice, two members of a oneof,
 * quoted enums and lists on singular fields are errors with line:column.
 */
/** Where each field of a parsed message was first written; map objects record each key's entry. */
export interface SourcePosition {
  line: number;
  column: number;
}
const positions = new WeakMap<object, Record<string, SourcePosition>>();

/**
 * line:column of `field` in the text `message` was parsed from (a map: of the entry with that key),
 * so semantic checks can point at the cause the way syntax errors do.
 */
export function positionOf(message: object | undefined, field: string): SourcePosition | undefined {
  return message ? positions.get(message)?.[field] : undefined;
}

function remember(target: object, key: string, token: Token): void {
  let known = positions.get(target);
  if (!known) {
    known = Object.create(null) as Record<string, SourcePosition>;
    positions.set(target, known);
  }
  known[key] ??= { line: token.line, column: token.column };
}

export function parsePbtxt(source: string, schema: ProtoSchema, root = schema.root): ProtoMessage {
  const parser = new Parser(tokenize(source), schema);
  const message = parser.message(root, "eof");
  return message;
}

class Parser {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly schema: ProtoSchema,
  ) {}

  private get token(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.token;
    if (token.kind !== "eof") this.index++;
    return token;
  }

  private fail(message: string, token = this.token): never {
    throw new PbtxtError(message, token.line, token.column);
  }

  private isSymbol(text: string, token = this.token) {
    return token.kind === "symbol" && token.text === text;
  }

  private expect(text: string): Token {
    if (!this.isSymbol(text)) this.fail(`expected "${text}", got ${describe(this.token)}`);
    return this.next();
  }

  /** Fields until `end` ("}", ">" or the end of input). */
  message(typeName: string, end: "}" | ">" | "eof"): ProtoMessage {
    const spec = this.schema.messages[typeName];
    if (!spec) throw new Error(`schema has no message ${typeName}`);
    const out: ProtoMessage = {};
    const seen = new Set<string>();
    const oneofs = new Map<string, string>();
    for (;;) {
      const token = this.token;
      if (end === "eof" ? token.kind === "eof" : this.isSymbol(end)) break;
      if (token.kind === "eof") this.fail(`expected "${end}", got end of input`);
      if (token.kind !== "identifier") this.fail(`expected a field name, got ${describe(token)}`);
      const field = spec.fields.find((f) => f.name === token.text);
      if (!field) this.fail(`message type "${typeName}" has no field named "${token.text}"`);
      this.next();
      // Like protobuf's HasField: a proto3 scalar outside a oneof only "has" a value once it is not the default.
      if (
        !field.repeated &&
        seen.has(field.name) &&
        (field.type === "message" || field.oneof || !this.isDefault(field, out[field.name]))
      ) {
        this.fail(`non-repeated field "${field.name}" is specified multiple times`, token);
      }
      if (field.oneof) {
        const other = oneofs.get(field.oneof);
        if (other && other !== field.name) {
          this.fail(
            `field "${field.name}" is specified along with field "${other}", another member of oneof "${field.oneof}"`,
            token,
          );
        }
        oneofs.set(field.oneof, field.name);
      }
      seen.add(field.name);
      remember(out, field.name, token);
      this.fieldValue(field, out);
      if (this.isSymbol(",") || this.isSymbol(";")) this.next();
    }
    this.next();
    return out;
  }

  private isDefault(field: FieldSpec, value: ProtoValue | undefined): boolean {
    if (field.type === "enum" && typeof value === "string")
      return this.schema.enums[field.typeName as string]?.[value] === 0;
    return value === undefined || value === 0 || value === "" || value === false || value === "0";
  }

  private fieldValue(field: FieldSpec, out: ProtoMessage): void {
    const isMessage = field.type === "message";
    if (this.isSymbol(":")) this.next();
    else if (!isMessage) this.fail(`expected ":", got ${describe(this.token)}`);
    const values: ProtoValue[] = [];
    const starts: Token[] = [];
    if (this.isSymbol("[")) {
      if (!field.repeated) this.fail(`field "${field.name}" is not repeated; a [ list ] is not allowed here`);
      this.next();
      if (!this.isSymbol("]")) {
        for (;;) {
          starts.push(this.token);
          values.push(this.value(field));
          if (this.isSymbol("]")) break;
          this.expect(",");
          if (this.isSymbol("]")) this.fail(`expected a value, got "]"`);
        }
      }
      this.next();
    } else {
      starts.push(this.token);
      values.push(this.value(field));
    }
    if (field.map) {
      // Null prototype: a key such as "__proto__" is data, not the object's prototype.
      const map = (out[field.name] ?? Object.create(null)) as Record<string, ProtoValue>;
      for (const [i, entry] of (values as ProtoMessage[]).entries()) {
        const key = String(entry.key ?? defaultKey(this.schema, field));
        map[key] = entry.value ?? defaultMapValue(this.schema, field);
        remember(map, key, starts[i] as Token);
      }
      out[field.name] = map;
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as ProtoValue[] | undefined) ?? []), ...values];
    } else {
      out[field.name] = values[0] as ProtoValue;
    }
  }

  private value(field: FieldSpec): ProtoValue {
    if (field.type === "message") {
      const open = this.token;
      if (!this.isSymbol("{") && !this.isSymbol("<")) this.fail(`expected "{", got ${describe(open)}`);
      this.next();
      return this.message(field.typeName as string, open.text === "{" ? "}" : ">");
    }
    if (field.type === "enum") return this.enumValue(field);
    return this.scalar(field.type);
  }

  private enumValue(field: FieldSpec): ProtoValue {
    const values = this.schema.enums[field.typeName as string] ?? {};
    const token = this.token;
    if (token.kind === "identifier") {
      this.next();
      if (!Object.hasOwn(values, token.text))
        this.fail(`unknown enumeration value of "${token.text}" for field "${field.name}"`, token);
      return token.text;
    }
    if (token.kind === "number" || this.isSymbol("-")) {
      const n = Number(this.integer("int32"));
      // proto3 enums are open: a number without a name is kept as a number.
      return Object.entries(values).find(([, v]) => v === n)?.[0] ?? n;
    }
    this.fail(`expected integer or identifier, got ${describe(token)}`);
  }

  private scalar(type: ScalarType): ProtoValue {
    switch (type) {
      case "string":
      case "bytes": {
        const token = this.token;
        if (token.kind !== "string") this.fail(`expected string, got ${describe(token)}`);
        this.next();
        return type === "bytes" ? (token.bytes as Buffer).toString("base64") : token.text;
      }
      case "bool": {
        const token = this.next();
        if ((token.kind === "identifier" || token.kind === "number") && TRUE.has(token.text)) return true;
        if ((token.kind === "identifier" || token.kind === "number") && FALSE.has(token.text)) return false;
        this.fail(`invalid value for boolean field: ${describe(token)}`, token);
        break;
      }
      case "float":
      case "double":
        return this.float(type);
      default: {
        const big = this.integer(type);
        return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(big)
          : big.toString();
      }
    }
    return false;
  }

  /** A sign must touch its number ("-1", not "- 1"), as in Python's protobuf tokenizer. */
  private minus(): void {
    const sign = this.next();
    const after = this.token;
    if (after.line !== sign.line || after.column !== sign.column + 1)
      this.fail(`expected a number right after "-"`, sign);
  }

  private integer(type: "int32" | "uint32" | "int64" | "uint64"): bigint {
    const start = this.token;
    let negative = false;
    if (this.isSymbol("-")) {
      if (type.startsWith("u")) this.fail(`expected integer, got "-"`);
      negative = true;
      this.minus();
    }
    const token = this.token;
    if (token.kind !== "number") this.fail(`expected integer, got ${describe(token)}`);
    this.next();
    const text = token.text;
    let magnitude: bigint;
    if (/^0[xX][0-9a-fA-F]+$/.test(text)) magnitude = BigInt(text);
    else if (/^0[0-7]+$/.test(text)) magnitude = BigInt(`0o${text.slice(1)}`);
    else if (/^(0|[1-9][0-9]*)$/.test(text)) magnitude = BigInt(text);
    else this.fail(`expected integer, got "${text}"`, token);
    const value = negative ? -magnitude : magnitude;
    const [min, max] = INT_RANGES[type] as [bigint, bigint];
    if (value < min || value > max)
      this.fail(`integer out of range for ${type}: ${negative ? "-" : ""}${text}`, start);
    return value;
  }

  private float(type: "float" | "double"): number {
    let negative = false;
    if (this.isSymbol("-")) {
      negative = true;
      this.minus();
    }
    const token = this.next();
    let value: number | undefined;
    if (token.kind === "identifier" && Object.hasOwn(FLOAT_WORDS, token.text.toLowerCase())) {
      value = FLOAT_WORDS[token.text.toLowerCase()];
    } else if (token.kind === "number" && !/^0[xX]/.test(token.text)) {
      const text = token.text.replace(/[fF]$/, "");
      if (
        /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text) &&
        !(token.text !== text && /^[0-9]+$/.test(text))
      ) {
        value = Number(text);
      }
    }
    if (value === undefined) this.fail(`expected a number, got ${describe(token)}`, token);
    const signed = negative ? -(value as number) : (value as number);
    return type === "float" ? Math.fround(signed) : signed;
  }
}

function describe(token: Token): string {
  if (token.kind === "eof") return "end of input";
  if (token.kind === "string") return `the string ${JSON.stringify(token.text)}`;
  return `"${token.text}"`;
}

function defaultKey(schema: ProtoSchema, field: FieldSpec): ProtoValue {
  const key = schema.messages[field.typeName as string]?.fields.find((f) => f.name === "key");
  return key?.type === "string" ? "" : 0;
}

function defaultMapValue(schema: ProtoSchema, field: FieldSpec): ProtoValue {
  const value = schema.messages[field.typeName as string]?.fields.find((f) => f.name === "value");
  if (value?.type === "message") return {};
  if (value?.type === "string" || value?.type === "bytes") return "";
  if (value?.type === "bool") return false;
  if (value?.type === "enum") return Object.keys(schema.enums[value.typeName as string] ?? {})[0] ?? 0;
  return 0;
}
