import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Diagnostic } from "../../diagnostics.js";
import { packagePath } from "../../paths.js";
import { jsonErrorOffset } from "./json-position.js";

const SCHEMA = packagePath("schemas/mlserver/model-settings.schema.json");

type Compiled = ((data: unknown) => boolean) & {
  errors?:
    | { instancePath: string; message?: string; keyword: string; params?: Record<string, unknown> }[]
    | null;
};
type AjvClass = new (options: Record<string, unknown>) => { compile(schema: unknown): unknown };

let compiled: Promise<{ validate: Compiled; properties: string[]; tensorProperties: string[] }> | undefined;

/** MLServer's own ModelSettings schema (schemas/mlserver, generated from its pydantic models); ajv loads only here. */
function schema() {
  compiled ??= (async () => {
    // ajv is CommonJS: its class is the module's default export's own default.
    const mod = (await import("ajv")) as unknown as { default: { default?: AjvClass } & AjvClass };
    const Ajv = mod.default.default ?? mod.default;
    const json = JSON.parse(await readFile(SCHEMA, "utf8"));
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
      json,
    ) as Compiled;
    return {
      validate,
      properties: Object.keys(json.properties ?? {}),
      tensorProperties: Object.keys(json.$defs?.MetadataTensor?.properties ?? {}),
    };
  })();
  return compiled;
}

/** 1-based line and column of a JSON pointer in the text (JSON read as YAML, which keeps positions). */
function locate(text: string, pointer: string[], atKey = false): { line?: number; column?: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  let node: unknown = doc.contents;
  let at: Node | undefined = node as Node;
  for (const [i, key] of pointer.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (!pair) break;
      at = (pair.key as Node) ?? at;
      node = pair.value;
      // An unknown key is shown at the key; a wrong value at the value.
      if (node && !(atKey && i === pointer.length - 1)) at = node as Node;
    } else if (isSeq(node)) {
      node = node.items[Number(key)];
      if (!node) break;
      at = node as Node;
    } else break;
  }
  const offset = at?.range?.[0];
  if (offset === undefined) return {};
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

const pointerOf = (path: string) =>
  path
    .split("/")
    .slice(1)
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));

/** Where JSON stops being JSON, as 1-based line:column. */
function syntaxPosition(text: string): { line?: number; column?: number } {
  const offset = jsonErrorOffset(text);
  if (offset < 0) return {};
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

export type SettingsCheck = { value?: Record<string, unknown>; diagnostics: Diagnostic[] };

/**
 * model-settings.json as MLServer reads it: JSON syntax, then MLServer's own
 * schema, with line:column for each finding; keys MLServer would silently
 * ignore are warnings (a misspelt key otherwise fails only at load time).
 */
export async function checkSettingsText(text: string, file: string): Promise<SettingsCheck> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    return {
      diagnostics: [
        {
          severity: "error",
          rule: "settings-syntax",
          message: `not JSON: ${message
            .replace(/^(Unexpected|Expected)/, (m) => m.toLowerCase())
            .replace(/,? (\.\.\.)?".*" is not valid JSON$/s, "")
            .replace(/ in JSON at position \d+.*$/s, "")}`,
          file,
          ...syntaxPosition(text),
        },
      ],
    };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return {
      diagnostics: [
        {
          severity: "error",
          rule: "settings-schema",
          message: "model-settings.json must hold a JSON object",
          file,
        },
      ],
    };
  const { validate, properties, tensorProperties } = await schema();
  const diagnostics: Diagnostic[] = [];
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      // anyOf branches repeat one mistake (a string, or null): report the type error once.
      if (e.keyword === "anyOf") continue;
      const pointer = pointerOf(e.instancePath);
      const got = pointer.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
      // pydantic's lax mode turns "8" into 8 and "true" into true: MLServer loads it, so it is no error.
      const coerced =
        e.keyword === "type" &&
        typeof got === "string" &&
        ((["integer", "number"].includes(String(e.params?.type)) && /^-?\d+(\.\d+)?$/.test(got.trim())) ||
          (e.params?.type === "boolean" && /^(true|false)$/i.test(got.trim())));
      const missing = e.keyword === "required" ? String(e.params?.missingProperty ?? "") : "";
      diagnostics.push({
        severity: coerced ? "warning" : "error",
        rule: "settings-schema",
        ...(coerced
          ? { hint: `MLServer converts the text ${JSON.stringify(got)}; write the value itself.` }
          : {}),
        message: missing
          ? `"${missing}" is required${pointer.length ? ` in ${pointer.join(".")}` : ""}`
          : `${pointer.join(".") || "(root)"} ${e.message ?? "is invalid"}${e.keyword === "enum" ? `: ${(e.params?.allowedValues as string[] | undefined)?.join(", ")}` : ""}`,
        file,
        ...(pointer.length ? { path: pointer.join(".") } : {}),
        ...locate(text, pointer),
      });
    }
  }
  const record = value as Record<string, unknown>;
  const unknown = (keys: string[], known: string[], prefix: string[]) => {
    for (const key of keys.filter((k) => !known.includes(k)))
      diagnostics.push({
        severity: "warning",
        rule: "settings-unknown-key",
        message: `MLServer ignores unknown key "${[...prefix, key].join(".")}"`,
        hint: `Known keys: ${known.join(", ")}.`,
        file,
        path: [...prefix, key].join("."),
        ...locate(text, [...prefix, key], true),
      });
  };
  unknown(Object.keys(record), properties, []);
  for (const side of ["inputs", "outputs"]) {
    const tensors = record[side];
    if (Array.isArray(tensors))
      tensors.forEach((t, i) => {
        if (t && typeof t === "object") unknown(Object.keys(t), tensorProperties, [side, String(i)]);
      });
  }
  return { value: record, diagnostics };
}
