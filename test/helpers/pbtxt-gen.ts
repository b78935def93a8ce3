import type { FieldSpec, ProtoSchema } from "../../src/pbtxt/schema.js";

/** A small seeded PRNG (mulberry32), so a failing corpus can be reproduced from its seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

const WORDS = ["INPUT__0", "OUTPUT__0", "text", "model.onnx", "a b", "tab\tq", 'q"uote', "naïve", "x\\y", ""];

function scalarText(field: FieldSpec, r: Rng, schema: ProtoSchema): string {
  switch (field.type) {
    case "string":
    case "bytes": {
      const w = r.pick(WORDS);
      const quote = r.chance(0.2) ? "'" : '"';
      const escaped = w
        .replace(/\\/g, "\\\\")
        .replace(/\t/g, r.chance(0.5) ? "\\t" : "\\011")
        .replace(new RegExp(quote, "g"), `\\${quote}`);
      return r.chance(0.1) && escaped.length > 1
        ? `${quote}${escaped.slice(0, 1)}${quote} ${quote}${escaped.slice(1)}${quote}`
        : `${quote}${escaped}${quote}`;
    }
    case "bool":
      return r.pick(["true", "false", "True", "False", "t", "f", "1", "0"]);
    case "float":
    case "double":
      return r.pick(["0.5", "1", "-2.25", "1e3", "1.5f", "0.1", "3.", ".25", "inf", "-inf", "1E-2", "7"]);
    case "enum": {
      const values = Object.entries(schema.enums[field.typeName as string] ?? {});
      const [name, number] = r.pick(values);
      return r.chance(0.15) ? String(number) : name;
    }
    case "uint32":
    case "uint64":
      return r.pick(["0", "1", "8", "1000000", "0x10", "017"]);
    default:
      return r.pick(["0", "1", "-1", "16", "-3", "0x1F", "2147483647", "010"]);
  }
}

/** One random, valid message of `typeName`, written with a random mix of the legal syntaxes. */
export function randomMessageText(schema: ProtoSchema, typeName: string, r: Rng, depth = 0): string {
  const spec = schema.messages[typeName];
  if (!spec) return "";
  const parts: string[] = [];
  const usedOneofs = new Set<string>();
  for (const field of spec.fields) {
    if (!r.chance(depth === 0 ? 0.35 : 0.25)) continue;
    if (field.oneof) {
      if (usedOneofs.has(field.oneof)) continue;
      usedOneofs.add(field.oneof);
    }
    if (field.type === "message" && depth >= 3) continue;
    const count = field.repeated ? 1 + r.int(3) : 1;
    const one = () =>
      field.type === "message"
        ? (() => {
            const [open, close] = r.chance(0.15) ? ["<", ">"] : ["{", "}"];
            const body = field.map
              ? mapEntry(schema, field, r, depth)
              : randomMessageText(schema, field.typeName as string, r, depth + 1);
            return `${open} ${body} ${close}`;
          })()
        : scalarText(field, r, schema);
    const colon = field.type === "message" ? r.pick([": ", " "]) : ": ";
    const sep = () => r.pick([" ", "\n", ", ", "; ", " # note\n"]);
    if (field.repeated && r.chance(0.5)) {
      parts.push(
        `${field.name}${colon}[${Array.from({ length: count - 1 }, one)
          .concat(r.chance(0.1) ? [] : [one()])
          .join(", ")}]${sep()}`,
      );
    } else {
      for (let i = 0; i < count; i++) parts.push(`${field.name}${colon}${one()}${sep()}`);
    }
  }
  return parts.join("");
}

function mapEntry(schema: ProtoSchema, field: FieldSpec, r: Rng, depth: number): string {
  const entry = schema.messages[field.typeName as string];
  const key = entry?.fields.find((f) => f.name === "key") as FieldSpec;
  const value = entry?.fields.find((f) => f.name === "value") as FieldSpec;
  const keyText =
    key.type === "string" ? `"${r.pick(["k", "max", "EXECUTION_ENV_PATH", "x"])}"` : r.pick(["1", "2", "7"]);
  const valueText =
    value.type === "message"
      ? `{ ${randomMessageText(schema, value.typeName as string, r, depth + 1)} }`
      : scalarText(value, r, schema);
  return `key: ${keyText} value${value.type === "message" ? " " : ": "}${valueText}`;
}

const INSERTS = [
  "{",
  "}",
  "[",
  "]",
  ":",
  ",",
  ";",
  "-",
  '"',
  "#",
  "<",
  ">",
  "name",
  "0",
  "TYPE_FP32",
  "'x'",
  "1.5",
  "\n",
];

/** A small random edit of a text: most give invalid input, some stay valid with other values. */
export function mutate(text: string, r: Rng): string {
  const at = r.int(text.length + 1);
  switch (r.int(4)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + r.int(3));
    case 1:
      return `${text.slice(0, at)} ${r.pick(INSERTS)} ${text.slice(at)}`;
    case 2: {
      const lines = text.split("\n");
      const i = r.int(lines.length);
      lines.splice(i, 0, lines[i] ?? "");
      return lines.join("\n");
    }
    default:
      return text.replace(
        /TYPE_FP32|KIND_CPU|true|"[^"]*"/,
        r.pick(['"TYPE_FP32"', "FP32", "2", "yes", "-1", "'s'"]),
      );
  }
}
