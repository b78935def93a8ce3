import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fromFsError, invalidInput, usageError } from "../../errors.js";
import type { InferInput, ModelMetadata } from "./client.js";

export interface InferFlags {
  input?: string[];
  data?: string;
  json?: string;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `-i name=value`: JSON when it parses, else the text itself; `@path` reads a JSON file. */
async function readValues(
  flags: InferFlags,
  metadata: ModelMetadata,
  cwd: string,
): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  if (flags.data !== undefined) {
    if (metadata.inputs.length !== 1) {
      throw usageError(
        `${metadata.name} has ${metadata.inputs.length} inputs; --data fills only a single one`,
        `Use -i NAME=VALUE for each of ${metadata.inputs.map((i) => i.name).join(", ")}.`,
      );
    }
    const only = metadata.inputs[0] as ModelMetadata["inputs"][number];
    // Text goes to a BYTES input as it is; any other datatype reads --data as JSON numbers or arrays.
    values.set(only.name, only.datatype === "BYTES" ? flags.data : jsonOrText(flags.data));
  }
  for (const pair of flags.input ?? []) {
    const eq = pair.indexOf("=");
    if (eq < 1)
      throw usageError(
        `invalid -i "${pair}"`,
        "Write -i NAME=VALUE, e.g. -i TEXT='set a timer' or -i INPUT0=[1,2,3] or -i INPUT0=@input.json.",
      );
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (raw.startsWith("@")) {
      const path = resolve(cwd, raw.slice(1));
      const text = await readFile(path, "utf8").catch((error) =>
        Promise.reject(fromFsError(error, path, "input file")),
      );
      try {
        values.set(name, JSON.parse(text));
      } catch {
        throw invalidInput(`${path} is not JSON`, "An @file for -i holds a JSON value or nested array.");
      }
    } else {
      try {
        values.set(name, JSON.parse(raw));
      } catch {
        values.set(name, raw);
      }
    }
  }
  return values;
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

const fitsShape = (shape: number[], expected: number[]) =>
  shape.length === expected.length && shape.every((d, i) => expected[i] === -1 || expected[i] === d);

const flatten = (value: unknown): unknown[] => (Array.isArray(value) ? value.flatMap(flatten) : [value]);

function checkType(name: string, datatype: string, data: unknown[]): void {
  const bad = (what: string) =>
    invalidInput(
      `input "${name}" is ${datatype}, but ${what}`,
      "Give values of the input's datatype (`mserve models <name> --target triton` shows it).",
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
      "Use --data TEXT for a single-input model, -i NAME=VALUE per input, or --json BODY.",
    );
  const inputs: InferInput[] = [];
  for (const [name, value] of values) {
    const meta = metadata.inputs.find((m) => m.name === name);
    if (!meta) {
      throw invalidInput(
        `${metadata.name} has no input "${name}"`,
        `Its inputs: ${metadata.inputs.map((m) => `${m.name} (${m.datatype}, shape [${m.shape}])`).join(", ")}.`,
      );
    }
    let shape = shapeOf(value);
    const expected = meta.shape;
    // One dimension short: one row of a batch ([1, …]), or a column of rows ([…, 1]) such as a list of texts for [-1, 1].
    if (shape.length === expected.length - 1) {
      const row = [1, ...shape];
      shape = fitsShape(row, expected) ? row : [...shape, 1];
    }
    if (shape.length === 0 && expected.length > 0) shape = expected.map(() => 1);
    const fits =
      shape.length === expected.length && shape.every((d, i) => expected[i] === -1 || expected[i] === d);
    if (!fits) {
      throw invalidInput(
        `input "${name}" has shape [${shape}], but ${metadata.name} expects [${expected}] (-1: any size)`,
        "Nest the values as arrays to match the shape; the batch dimension comes first when the model batches.",
      );
    }
    const data = flatten(value);
    checkType(name, meta.datatype, data);
    inputs.push({ name, shape, datatype: meta.datatype, data });
  }
  const missing = metadata.inputs.filter((m) => !values.has(m.name)).map((m) => m.name);
  if (missing.length > 0)
    throw invalidInput(
      `missing input ${missing.join(", ")} for ${metadata.name}`,
      "Give each input with -i NAME=VALUE.",
    );
  return inputs;
}
