import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, join, resolve } from "node:path";
import { type Document, isMap, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import type { Diagnostic } from "../../diagnostics.js";
import { fromFsError } from "../../errors.js";
import { isDirectory } from "../../files.js";
import { packagePath } from "../../paths.js";

/**
 * InferenceService manifests checked as the Kubernetes API server checks them
 * on `kubectl apply` with strict field validation: the full v1beta1 CRD schema
 * of the vendored KServe release (schemas/kserve, see SOURCE.md), unknown
 * fields refused at every level except under x-kubernetes-preserve-unknown-fields,
 * ObjectMeta's own fields, and YAML as sigs.k8s.io/yaml reads it (YAML 1.1
 * booleans, duplicate keys refused). The schema is compiled at build time
 * (scripts/build-kserve-validator.mjs), so a check costs milliseconds.
 */

export const ISVC_GROUP = "serving.kserve.io";
export const ISVC_API_VERSION = `${ISVC_GROUP}/v1beta1`;

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const SCHEMA_FILE = packagePath("schemas/kserve/inferenceservice-v1beta1.json");
/** Written by the build (scripts/build-kserve-validator.mjs); the sources (tests) use the build's copy too. */
const COMPILED = [packagePath("dist/kserve-isvc-validator.cjs")];
/** Keep in step with scripts/build-kserve-validator.mjs. */
const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: false };

let schemaText: Promise<string> | undefined;
const readSchema = () => {
  schemaText ??= readFile(SCHEMA_FILE, "utf8");
  return schemaText;
};
let validator: Promise<Validator> | undefined;

/** The build's compiled validator when it matches the schema on disk; else the schema compiled now (~1 s). */
export function loadValidator(): Promise<Validator> {
  validator ??= (async () => {
    const text = await readSchema();
    const sha = createHash("sha256").update(text).digest("hex");
    const require = createRequire(import.meta.url);
    for (const file of COMPILED) {
      if (!existsSync(file)) continue;
      const compiled = require(file) as Validator & { schemaSha256?: string };
      if (compiled.schemaSha256 === sha) return compiled;
    }
    // ajv is CommonJS: its class is the module's default export's own default.
    type AjvClass = new (options: Record<string, unknown>) => { compile(schema: unknown): Validator };
    const mod = (await import("ajv")) as unknown as { default: { default?: AjvClass } & AjvClass };
    const Ajv = mod.default.default ?? mod.default;
    return new Ajv(AJV_OPTIONS).compile(JSON.parse(text));
  })();
  return validator;
}

/** One InferenceService found in a file: where it sits (a document, an item of a List) and its YAML node. */
interface Found {
  value: Record<string, unknown>;
  node: Node | null | undefined;
  /** YAML path of the object ("" for a document, "items[2]" in a List). */
  prefix: string;
  document: number;
  doc: Document;
}

const isIsvc = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "InferenceService";

/** Parses like sigs.k8s.io/yaml (go-yaml, YAML 1.1 scalars) and lists every InferenceService, List items included. */
function parseManifests(text: string) {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    version: "1.1",
    uniqueKeys: true,
    prettyErrors: false,
  });
  const documents = Array.isArray(docs) ? docs : [docs];
  const found: Found[] = [];
  for (const [i, doc] of documents.entries()) {
    if (doc.errors.length > 0) continue;
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (isIsvc(value)) found.push({ value, node: doc.contents, prefix: "", document: i, doc });
    const list = value as { kind?: unknown; items?: unknown };
    if (list && typeof list === "object" && typeof list.kind === "string" && /List$/.test(list.kind)) {
      const itemsNode = isMap(doc.contents) ? doc.contents.get("items", true) : undefined;
      for (const [j, item] of (Array.isArray(list.items) ? list.items : []).entries()) {
        if (isIsvc(item))
          found.push({
            value: item,
            node: isSeq(itemsNode) ? (itemsNode.get(j, true) as Node) : undefined,
            prefix: `items[${j}]`,
            document: i,
            doc,
          });
      }
    }
  }
  return { documents, found, lineCounter };
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** The manifest files directly in a folder, as `kubectl apply -f DIR` takes them (sorted, not recursive). */
async function manifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && MANIFEST_FILE.test(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * Whether the file holds an InferenceService (any quoting, any document, or
 * inside a List), or the folder holds such a file, as `kubectl apply -f DIR`.
 */
export async function detectInferenceService(path: string): Promise<boolean> {
  if (await isDirectory(path)) {
    for (const name of await manifestFiles(path))
      if (await detectInferenceService(join(path, name))) return true;
    return false;
  }
  if (!MANIFEST_FILE.test(path)) return false;
  const text = await readFile(path, "utf8").catch(() => undefined);
  // Parse only what can be one: the word must be there, quoted or not.
  if (!text?.includes("InferenceService")) return false;
  const { documents, found } = parseManifests(text);
  if (found.length > 0) return true;
  // A file that does not parse is still an InferenceService when it says so (validate then names the YAML error).
  return (
    documents.some((d) => d.errors.length > 0) &&
    /^\s*kind:\s*["']?InferenceService["']?\s*(#.*)?$/m.test(text)
  );
}

export interface InferenceServiceValidation {
  path: string;
  kind: "inferenceservice";
  valid: boolean;
  /** InferenceServices checked (documents and List items). */
  count: number;
  diagnostics: Diagnostic[];
}

const pathOf = (prefix: string, segments: string[]) =>
  segments.reduce((p, s) => (/^\d+$/.test(s) ? `${p}[${s}]` : p ? `${p}.${s}` : s), prefix);

const segmentsOf = (pointer: string) =>
  pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));

/** The YAML node at `segments` below `node`; with `key`, the key of that map entry instead. */
function nodeAt(node: Node | null | undefined, segments: string[], key?: string): Node | undefined {
  let current: unknown = node;
  for (const s of segments) {
    if (isMap(current)) current = current.get(s, true);
    else if (isSeq(current)) current = current.get(Number(s), true);
    else return undefined;
  }
  if (key !== undefined && isMap(current)) {
    const pair = current.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    return (pair?.key as Node | undefined) ?? (current as Node);
  }
  return (current as Node | undefined) ?? undefined;
}

type Schema = {
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  default?: unknown;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  definitions?: Record<string, Schema>;
  enum?: unknown[];
  anyOf?: Schema[];
};

/** The object schema at an instance path, to name the fields that are allowed there. */
function schemaAt(root: Schema, segments: string[]): Schema | undefined {
  const deref = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? deref(root.definitions?.[s.$ref.replace("#/definitions/", "")]) : s;
  let current = deref(root);
  for (const s of segments) {
    if (!current) return undefined;
    if (/^\d+$/.test(s) && current.items) current = deref(current.items);
    else if (current.properties?.[s]) current = deref(current.properties[s]);
    else if (typeof current.additionalProperties === "object") current = deref(current.additionalProperties);
    else return undefined;
  }
  return current;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] as number;
}

function suggest(field: string, allowed: string[]): string | undefined {
  const ranked = allowed.map((name) => ({ name, d: distance(field, name) })).sort((a, b) => a.d - b.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(field.length / 3)) ? best.name : undefined;
}

let parsedSchema: Promise<Schema> | undefined;
const schemaObject = () => {
  parsedSchema ??= readSchema().then((text) => JSON.parse(text) as Schema);
  return parsedSchema;
};

/**
 * What JSON Schema cannot say and the API server checks: items of an
 * `x-kubernetes-list-type: set` are unique, and items of a `map` list are
 * unique by their `x-kubernetes-list-map-keys` (defaults filled in, e.g. a
 * port's protocol TCP): two env entries named X are a "Duplicate value".
 */
function checkListTypes(
  root: Schema,
  schema: Schema | undefined,
  value: unknown,
  segments: string[],
  report: (segments: string[], message: string) => void,
) {
  const deref = (x: Schema | undefined): Schema | undefined =>
    x?.$ref ? deref(root.definitions?.[x.$ref.replace("#/definitions/", "")]) : x;
  const s = deref(schema);
  if (!s || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    const item = deref(s.items);
    const kind = s["x-kubernetes-list-type"];
    const keys = s["x-kubernetes-list-map-keys"] ?? [];
    const seen = new Map<string, number>();
    for (const [i, element] of value.entries()) {
      if (kind === "set" || (kind === "map" && element && typeof element === "object")) {
        const identity =
          kind === "set"
            ? JSON.stringify(element)
            : JSON.stringify(
                keys.map(
                  (k) => (element as Record<string, unknown>)[k] ?? deref(item?.properties?.[k])?.default,
                ),
              );
        const first = seen.get(identity);
        if (first !== undefined)
          report(
            [...segments, String(i)],
            `Duplicate value: ${kind === "set" ? identity : `{${keys.map((k, j) => `${k}: ${JSON.stringify(JSON.parse(identity)[j])}`).join(", ")}}`} (the same as item ${first})`,
          );
        else seen.set(identity, i);
      }
      checkListTypes(root, item, element, [...segments, String(i)], report);
    }
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const next =
      s.properties?.[key] ??
      (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
    checkListTypes(root, next, child, [...segments, key], report);
  }
}

/** ajv's errors as Kubernetes words them, one per cause (an int-or-string miss is one error, not three). */
async function describeErrors(
  errors: AjvError[],
  at: (segments: string[], key?: string) => Partial<Diagnostic>,
  prefix: string,
) {
  const anyOf = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const out: Diagnostic[] = [];
  let schema: Schema | undefined;
  for (const e of errors) {
    if (anyOf.has(e.instancePath) && e.keyword !== "anyOf" && /\/anyOf\/\d+\//.test(e.schemaPath)) continue;
    const segments = segmentsOf(e.instancePath);
    const where = pathOf(prefix, segments) || "(root)";
    if (e.keyword === "additionalProperties") {
      const field = String(e.params.additionalProperty);
      schema ??= await schemaObject();
      const allowed = Object.keys(schemaAt(schema, segments)?.properties ?? {});
      const close = suggest(field, allowed);
      out.push({
        severity: "error",
        rule: "isvc-unknown-field",
        message: `unknown field "${pathOf(prefix, [...segments, field])}"`,
        hint: close
          ? `Did you mean "${close}"? The API server refuses unknown fields (strict field validation).`
          : `Known fields here: ${allowed.slice(0, 12).join(", ")}${allowed.length > 12 ? ", …" : ""}.`,
        path: pathOf(prefix, [...segments, field]),
        ...at(segments, field),
      });
      continue;
    }
    let message: string;
    if (e.keyword === "required")
      message = `${pathOf(prefix, [...segments, String(e.params.missingProperty)])}: Required value`;
    else if (e.keyword === "type") message = `${where}: must be of type ${e.params.type}`;
    else if (e.keyword === "anyOf")
      message = `${where}: must be an integer or a string (a quantity such as 500m or 1Gi)`;
    else if (e.keyword === "enum")
      message = `${where}: Unsupported value; supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    else message = `${where}: ${e.message ?? "is invalid"}`;
    out.push({ severity: "error", rule: "isvc-schema", message, path: where, ...at(segments) });
  }
  return out;
}

/** Checks one parsed manifest (no YAML positions): the schema, then what the API server adds. */
export async function validateInferenceServiceObject(
  manifest: unknown,
  at: (segments: string[], key?: string) => Partial<Diagnostic> = () => ({}),
  prefix = "",
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const m = manifest as { apiVersion?: unknown; metadata?: { name?: unknown; generateName?: unknown } };
  if (m.apiVersion !== ISVC_API_VERSION) {
    out.push({
      severity: "error",
      rule: "isvc-api-version",
      message: `apiVersion ${JSON.stringify(m.apiVersion)} is not served: KServe's CRD serves InferenceService as ${ISVC_API_VERSION} only`,
      hint: `Write apiVersion: ${ISVC_API_VERSION} (the v1alpha2 and serving.kubeflow.org versions are gone).`,
      path: pathOf(prefix, ["apiVersion"]),
      ...at(["apiVersion"]),
    });
    return out;
  }
  const validate = await loadValidator();
  if (!validate(manifest)) out.push(...(await describeErrors(validate.errors ?? [], at, prefix)));
  const schema = await schemaObject();
  checkListTypes(schema, schema, manifest, [], (segments, message) =>
    out.push({
      severity: "error",
      rule: "isvc-schema",
      message: `${pathOf(prefix, segments)}: ${message}`,
      path: pathOf(prefix, segments),
      ...at(segments),
    }),
  );
  // apimachinery ObjectMeta validation: a name (or generateName), as a DNS-1035 label for an
  // InferenceService (KServe's webhook: inference_service_validation.go).
  const name = m.metadata?.name;
  if (name === undefined && m.metadata?.generateName === undefined)
    out.push({
      severity: "error",
      rule: "isvc-name",
      message: `${pathOf(prefix, ["metadata", "name"])}: Required value: name or generateName is required`,
      path: pathOf(prefix, ["metadata", "name"]),
      ...at(["metadata"]),
    });
  else if (typeof name === "string" && !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name))
    out.push({
      severity: "error",
      rule: "isvc-name",
      message: `metadata.name "${name}" is not a valid InferenceService name`,
      hint: "Lowercase letters, digits and '-', starting with a letter and ending with a letter or digit.",
      path: pathOf(prefix, ["metadata", "name"]),
      ...at(["metadata", "name"]),
    });
  return out;
}

/**
 * `mserve validate DIR` for a folder of manifests: each file holding an
 * InferenceService is checked; other manifests (a Secret, a ServingRuntime)
 * are left alone with a note, since mserve checks only InferenceServices.
 */
export async function validateInferenceServices(
  input: string,
  cwd: string,
): Promise<InferenceServiceValidation> {
  const path = resolve(cwd, input);
  if (!(await isDirectory(path))) return validateInferenceServiceFile(input, cwd);
  const diagnostics: Diagnostic[] = [];
  let count = 0;
  for (const name of await manifestFiles(path)) {
    const one = await validateInferenceServiceFile(join(path, name), cwd);
    // Each file read and parsed once: one with no InferenceService in it is what detection skips.
    if (one.count === 0 && one.diagnostics.every((d) => d.rule === "isvc-missing")) {
      diagnostics.push({
        severity: "note",
        rule: "isvc-skipped",
        message: "no InferenceService in it: not checked",
        file: name,
      });
      continue;
    }
    count += one.count;
    diagnostics.push(...one.diagnostics);
  }
  return {
    path,
    kind: "inferenceservice",
    valid: !diagnostics.some((d) => d.severity === "error"),
    count,
    diagnostics,
  };
}

/** `mserve validate x.yaml` for InferenceService manifests: every document and List item, with YAML path and line:column. */
export async function validateInferenceServiceFile(
  input: string,
  cwd: string,
): Promise<InferenceServiceValidation> {
  const path = resolve(cwd, input);
  const text = await readFile(path, "utf8").catch((error) =>
    Promise.reject(fromFsError(error, path, "manifest")),
  );
  const file = basename(path);
  const { documents, found, lineCounter } = parseManifests(text);
  const diagnostics: Diagnostic[] = [];
  const position = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  for (const doc of documents) {
    for (const e of doc.errors)
      diagnostics.push({
        severity: "error",
        rule: "yaml-syntax",
        message: e.message.split("\n")[0] as string,
        file,
        ...position(e.pos[0]),
      });
  }
  for (const item of found) {
    const at = (segments: string[], key?: string): Partial<Diagnostic> => ({
      file,
      ...position(nodeAt(item.node, segments, key)?.range?.[0]),
    });
    const more = await validateInferenceServiceObject(item.value, at, item.prefix);
    if (documents.length > 1) for (const d of more) d.message = `document ${item.document + 1}: ${d.message}`;
    diagnostics.push(...more);
  }
  if (found.length === 0 && diagnostics.length === 0)
    diagnostics.push({
      severity: "error",
      rule: "isvc-missing",
      message: "no InferenceService (kind: InferenceService) in this file",
      file,
    });
  return {
    path,
    kind: "inferenceservice",
    valid: !diagnostics.some((d) => d.severity === "error"),
    count: found.length,
    diagnostics,
  };
}
