import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fromFsError, invalidInput, usageError } from "../../errors.js";
import type { InferInput, ModelMetadata } from "./client.js";
import { isNpy, NpyError, readNpy } from "./npy.js";
import { elementCount } from "./tensor.js";

export interface InferFlags {
  input?: string[];
  data?: string;
  json?: string;
}

type TensorMeta = ModelMetadata["inputs"][number];

/** A value given for one input: JSON (numbers, strings, nested arrays), or a NumPy array read from a file. */
type Given =
  | { kind: "json"; value: unknown; source: string }
  | { kind: "npy"; datatype: string; shape: number[]; raw: Buffer; source: string };

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const inputList = (metadata: ModelMetadata) =>
  metadata.inputs.map((i) => `${i.name} (${i.datatype}, shape [${i.shape}])`).join(", ");

/**
 * `--data`: an object of named tensors ({"FEATURES": [[1,2,3,4]]}), or a value
 * for the only input. A BYTES input takes text as it is unless it is a JSON
 * array of strings; every other datatype reads JSON numbers, booleans and nested arrays.
 */
function readData(data: string, metadata: ModelMetadata, values: Map<string, Given>): void {
  const parsed = parseJson(data);
  const names = metadata.inputs.map((i) => i.name);
  if (parsed.ok && isRecord(parsed.value)) {
    const keys = Object.keys(parsed.value);
    if (keys.length > 0 && keys.every((k) => names.includes(k))) {
      for (const k of keys) values.set(k, { kind: "json", value: parsed.value[k], source: `--data ${k}` });
      return;
    }
    if (names.length !== 1 || metadata.inputs[0]?.datatype !== "BYTES") {
      const unknown = keys.filter((k) => !names.includes(k));
      throw invalidInput(
        `${metadata.name} has no input ${unknown.map((k) => `"${k}"`).join(", ")}`,
        `Its inputs: ${inputList(metadata)}.`,
      );
    }
  }
  if (metadata.inputs.length !== 1) {
    throw usageError(
      `${metadata.name} has ${metadata.inputs.length} inputs; --data with a single value fills only one`,
      `Name each tensor: --data '{${names.map((n) => `"${n}": […]`).join(", ")}}', or -i NAME=VALUE per input.`,
    );
  }
  const only = metadata.inputs[0] as TensorMeta;
  if (only.datatype === "BYTES") {
    const list = parsed.ok && Array.isArray(parsed.value) ? parsed.value : undefined;
    const strings = list && flatten(list).every((v) => typeof v === "string");
    values.set(only.name, { kind: "json", value: strings ? list : data, source: "--data" });
    return;
  }
  if (!parsed.ok)
    throw invalidInput(
      `--data is not JSON, and input "${only.name}" is ${only.datatype}`,
      `Give numbers as JSON, e.g. --data '${example(only)}'.`,
    );
  values.set(only.name, { kind: "json", value: parsed.value, source: "--data" });
}

async function readFileValue(name: string, path: string, cwd: string): Promise<Given> {
  const full = resolve(cwd, path);
  const bytes = await readFile(full).catch((error) => Promise.reject(fromFsError(error, full, "input file")));
  if (isNpy(bytes) || full.endsWith(".npy")) {
    try {
      return { kind: "npy", ...readNpy(bytes), source: path };
    } catch (error) {
      if (error instanceof NpyError) throw invalidInput(`${path}: ${error.message}`);
      throw error;
    }
  }
  const parsed = parseJson(bytes.toString("utf8"));
  if (!parsed.ok)
    throw invalidInput(
      `${path} is neither JSON nor a NumPy .npy file`,
      `An @file for -i ${name} holds a JSON value or nested array, or an array saved with np.save.`,
    );
  return { kind: "json", value: parsed.value, source: path };
}

/** `-i name=value`: JSON when it parses, else the text itself; `@path` reads a JSON or .npy file. */
async function readValues(
  flags: InferFlags,
  metadata: ModelMetadata,
  cwd: string,
): Promise<Map<string, Given>> {
  const values = new Map<string, Given>();
  if (flags.data !== undefined) readData(flags.data, metadata, values);
  for (const pair of flags.input ?? []) {
    const eq = pair.indexOf("=");
    if (eq < 1)
      throw usageError(
        `invalid -i "${pair}"`,
        "Write -i NAME=VALUE, e.g. -i TEXT='set a timer' or -i INPUT0=[1,2,3] or -i INPUT0=@input.npy.",
      );
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (raw.startsWith("@")) values.set(name, await readFileValue(name, raw.slice(1), cwd));
    else {
      const parsed = parseJson(raw);
      values.set(name, { kind: "json", value: parsed.ok ? parsed.value : raw, source: `-i ${name}` });
    }
  }
  return values;
}

/** The shape of a nested array, or the first place where its rows differ in length. */
function shapeOf(value: unknown): { shape: number[] } | { ragged: string } {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const check = (v: unknown, depth: number, path: string): string | undefined => {
    if (depth === shape.length) return Array.isArray(v) ? `${path} nests deeper than the rest` : undefined;
    if (!Array.isArray(v)) return `${path} is a single value where the rest have ${shape[depth]}`;
    if (v.length !== shape[depth])
      return `${path} has ${v.length} values where the rest have ${shape[depth]}`;
    for (const [i, item] of v.entries()) {
      const bad = check(item, depth + 1, `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  };
  const ragged = check(value, 0, "the value");
  return ragged ? { ragged } : { shape };
}

const fitsShape = (shape: number[], expected: number[]) =>
  shape.length === expected.length && shape.every((d, i) => expected[i] === -1 || expected[i] === d);

const flatten = (value: unknown): unknown[] => (Array.isArray(value) ? value.flatMap(flatten) : [value]);

/** A small value of the expected shape (-1 as 1), e.g. [[0,0,0,0]] for [-1,4]; undefined when too large to show. */
function example(meta: TensorMeta): string {
  const shape = meta.shape.map((d) => (d === -1 ? 1 : d));
  if (elementCount(shape) > 16) return `[${meta.shape.map((d) => (d === -1 ? "N" : d)).join("×")} values]`;
  const leaf = meta.datatype === "BYTES" ? '"text"' : meta.datatype === "BOOL" ? "false" : "0";
  const build = (depth: number): string =>
    depth === shape.length
      ? leaf
      : `[${Array.from({ length: shape[depth] as number }, () => build(depth + 1)).join(",")}]`;
  return build(0);
}

function shapeHint(meta: TensorMeta): string {
  const batch = meta.shape[0] === -1 && meta.shape.length > 1;
  return `${meta.name} takes shape [${meta.shape}] (-1: any size${batch ? "; the first dimension is the batch, one entry per row" : ""}), e.g. ${example(meta)}.`;
}

function checkType(name: string, datatype: string, data: unknown[]): void {
  const bad = (what: string) =>
    invalidInput(
      `input "${name}" is ${datatype}, but ${what}`,
      "Give values of the input's datatype (`mserve models <name>` shows it).",
    );
  if (datatype === "BYTES") {
    if (data.some((v) => typeof v !== "string")) throw bad("some values are not strings");
  } else if (datatype === "BOOL") {
    if (data.some((v) => typeof v !== "boolean")) throw bad("some values are not true/false");
  } else if (data.some((v) => typeof v !== "number")) {
    throw bad("some values are not numbers");
  } else if (/INT/.test(datatype) && data.some((v) => !Number.isInteger(v as number))) {
    throw bad("some values are not whole numbers");
  } else if (/^UINT/.test(datatype) && data.some((v) => (v as number) < 0)) {
    throw bad("some values are negative");
  }
}

/** The shape sent: as given, or one dimension short filled in (one row of a batch, or a column of rows). */
function fitShape(name: string, given: number[], meta: TensorMeta, modelName: string): number[] {
  let shape = given;
  const expected = meta.shape;
  if (shape.length === expected.length - 1) {
    const row = [1, ...shape];
    shape = fitsShape(row, expected) ? row : [...shape, 1];
  }
  if (shape.length === 0 && expected.length > 0) shape = expected.map(() => 1);
  if (!fitsShape(shape, expected)) {
    throw invalidInput(
      `input "${name}" has shape [${given}], but ${modelName} expects [${expected}]`,
      shapeHint(meta),
    );
  }
  return shape;
}

/**
 * v2 inputs from -i / --data / --json, with names, datatypes and shapes taken
 * from the model's metadata; mistakes are caught here, before anything is sent.
 */
export async function buildInferInputs(
  flags: InferFlags,
  metadata: ModelMetadata,
  cwd: string,
): Promise<InferInput[]> {
  if (flags.json !== undefined) {
    const text = flags.json.startsWith("@")
      ? await readFile(resolve(cwd, flags.json.slice(1)), "utf8")
      : flags.json;
    let body: { inputs?: InferInput[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw invalidInput(
        "--json is not JSON",
        'Give a v2 request body: {"inputs":[{"name":…,"shape":[…],"datatype":…,"data":[…]}]}',
      );
    }
    const inputs = body.inputs ?? [];
    for (const i of inputs) {
      const meta = metadata.inputs.find((m) => m.name === i.name);
      if (!meta)
        throw invalidInput(
          `${metadata.name} has no input "${i.name}"`,
          `Its inputs: ${metadata.inputs.map((m) => `${m.name} (${m.datatype})`).join(", ")}.`,
        );
      if (meta.datatype !== i.datatype)
        throw invalidInput(`input "${i.name}" is ${meta.datatype}, not ${i.datatype}`);
    }
    return inputs;
  }
  const values = await readValues(flags, metadata, cwd);
  if (values.size === 0)
    throw usageError(
      "no input given",
      "Use --data VALUE for a single-input model (or an object of named tensors), -i NAME=VALUE per input, or --json BODY.",
    );
  const inputs: InferInput[] = [];
  for (const [name, given] of values) {
    const meta = metadata.inputs.find((m) => m.name === name);
    if (!meta) {
      throw invalidInput(`${metadata.name} has no input "${name}"`, `Its inputs: ${inputList(metadata)}.`);
    }
    if (given.kind === "npy") {
      if (given.datatype !== meta.datatype)
        throw invalidInput(
          `${given.source} holds ${given.datatype} values, but input "${name}" is ${meta.datatype}`,
          `Save it with the input's type, e.g. np.save(path, x.astype(np.${NUMPY[meta.datatype] ?? "float32"})).`,
        );
      const shape = fitShape(name, given.shape, meta, metadata.name);
      inputs.push({ name, shape, datatype: meta.datatype, data: [], raw: given.raw });
      continue;
    }
    const measured = shapeOf(given.value);
    if ("ragged" in measured)
      throw invalidInput(`input "${name}" is not rectangular: ${measured.ragged}`, shapeHint(meta));
    const shape = fitShape(name, measured.shape, meta, metadata.name);
    const data = flatten(given.value);
    checkType(name, meta.datatype, data);
    inputs.push({ name, shape, datatype: meta.datatype, data });
  }
  const missing = metadata.inputs.filter((m) => !values.has(m.name)).map((m) => m.name);
  if (missing.length > 0)
    throw invalidInput(
      `missing input ${missing.join(", ")} for ${metadata.name}`,
      "Give each input with -i NAME=VALUE, or all of them in --data as an object of named tensors.",
    );
  return inputs;
}

/** v2 datatype → NumPy type name, for hints. */
const NUMPY: Record<string, string> = {
  BOOL: "bool_",
  UINT8: "uint8",
  INT8: "int8",
  UINT16: "uint16",
  INT16: "int16",
  FP16: "float16",
  UINT32: "uint32",
  INT32: "int32",
  FP32: "float32",
  UINT64: "uint64",
  INT64: "int64",
  FP64: "float64",
  BYTES: "str_",
};
