import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fromFsError, usageError } from "../../errors.js";
import type { PredictInput, Predictor, PredictTensor } from "../../targets/target.js";
import {
  type InferInput,
  type ModelMetadata,
  modelPath,
  type OutputTensor,
  type V2Client,
} from "./client.js";
import { buildInferInputs, type InferFlags } from "./infer-input.js";
import { writeNpy } from "./npy.js";
import { BINARY_ONLY, decodeRaw, encodeRaw, hasNonFinite, tensorJson } from "./tensor.js";

/**
 * A batch line or --json value in the forms people write for v2 models: a whole
 * request body ({"inputs": [...]}), an object of named tensors, or a value for
 * the only input. Returned as the flags buildInferInputs reads.
 */
function jsonFlags(text: string, metadata: ModelMetadata): InferFlags {
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith("@") ? "null" : text);
  } catch {
    return { json: text };
  }
  if (text.startsWith("@") || (value && typeof value === "object" && "inputs" in value))
    return { json: text };
  const names = metadata.inputs.map((i) => i.name);
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => names.includes(k)))
      return { input: keys.map((k) => `${k}=${JSON.stringify((value as Record<string, unknown>)[k])}`) };
  }
  if (names.length === 1) return { input: [`${names[0]}=${JSON.stringify(value)}`] };
  return { json: text };
}

export interface V2PredictorOptions {
  name: string;
  version?: string;
  cwd: string;
  /** Extra checks on the inputs before sending (Triton's max_batch_size). */
  check?: (inputs: InferInput[]) => Promise<void>;
  /** Send inputs and ask for outputs with the binary tensor extension (always so for FP16/BF16). */
  binary?: boolean;
  /** Write each output tensor to DIR/NAME.npy. */
  saveDir?: string;
  /**
   * For servers whose models may declare no inputs (MLServer's model-settings.json
   * need not): the name a single --data value is sent under, its datatype and
   * shape taken from the value itself.
   */
  untypedInput?: string;
}

interface V2Payload {
  inputs: InferInput[];
  binaryInputs: boolean;
  binaryOutputs: boolean;
}

async function saveOutputs(dir: string, outputs: OutputTensor[]): Promise<string[]> {
  await mkdir(dir, { recursive: true }).catch((error) =>
    Promise.reject(fromFsError(error, dir, "--save folder")),
  );
  const files: string[] = [];
  for (const o of outputs) {
    // Output names are the model's; keep them from leaving the folder.
    const file = join(dir, `${o.name.replace(/[^A-Za-z0-9_.-]/g, "_")}.npy`);
    const raw = o.raw ?? encodeRaw(o.datatype, o.data);
    await writeFile(file, writeNpy(o.datatype, o.shape, raw)).catch((error) =>
      Promise.reject(fromFsError(error, file, "output file")),
    );
    files.push(file);
  }
  return files;
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  for (let level = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  return shape;
}

/** Metadata for a model that declares no inputs: one tensor per value given, typed by what it holds. */
function untypedMetadata(metadata: ModelMetadata, input: PredictInput, name: string): ModelMetadata {
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const given: [string, unknown][] = [];
  if (input.data !== undefined) given.push([name, parse(input.data)]);
  for (const pair of input.inputs ?? []) {
    const eq = pair.indexOf("=");
    if (eq > 0)
      given.push([pair.slice(0, eq), pair.slice(eq + 1).startsWith("@") ? [] : parse(pair.slice(eq + 1))]);
  }
  const inputs = given.map(([tensor, value]) => {
    const flat = [value].flat(Number.POSITIVE_INFINITY);
    const datatype = flat.every((v) => typeof v === "number")
      ? "FP64"
      : flat.every((v) => typeof v === "boolean")
        ? "BOOL"
        : "BYTES";
    const shape = shapeOf(value);
    // Rows of features: a flat list is one row, a nested one a batch of rows.
    return {
      name: tensor,
      datatype,
      shape: shape.length <= 1 ? [-1, shape[0] ?? 1] : [-1, ...shape.slice(1)],
    };
  });
  return { ...metadata, inputs };
}

/**
 * Predictions over the v2 protocol, for every server that speaks it: the
 * model's metadata is read once and every input is checked against it
 * (names, datatypes, shapes) before anything is sent.
 */
export function v2Predictor(client: V2Client, options: V2PredictorOptions): Predictor {
  const { name, version, cwd } = options;
  let metadata: Promise<ModelMetadata> | undefined;
  const meta = () => {
    metadata ??= client.metadata(name, version);
    return metadata;
  };
  return {
    version,
    async encode(input: PredictInput) {
      if (input.file !== undefined)
        throw usageError("--file sends raw bytes, which v2 servers do not take", "Use -i NAME=@values.json.");
      const declared = await meta();
      const md =
        declared.inputs.length === 0 && options.untypedInput
          ? untypedMetadata(declared, input, options.untypedInput)
          : declared;
      const flags: InferFlags =
        input.json !== undefined && !input.inputs?.length
          ? jsonFlags(input.json, md)
          : { input: input.inputs, data: input.data, json: input.json };
      const inputs = await buildInferInputs(flags, md, cwd);
      await options.check?.(inputs);
      // A .npy input sent as JSON: its values, read from the raw bytes.
      const asJson = inputs.map(({ raw, ...i }) => (raw ? { ...i, data: decodeRaw(i.datatype, raw) } : i));
      const binaryInputs =
        Boolean(options.binary) ||
        inputs.some((i) => BINARY_ONLY.has(i.datatype)) ||
        asJson.some((i) => hasNonFinite(i.data));
      const payload: V2Payload = {
        inputs: binaryInputs ? inputs : asJson,
        binaryInputs,
        binaryOutputs: Boolean(options.binary) || md.outputs.some((o) => BINARY_ONLY.has(o.datatype)),
      };
      // The body is what the prediction log digests and what bench replays: the JSON request when there is one.
      const body = binaryInputs
        ? Buffer.concat([
            Buffer.from(JSON.stringify(inputs.map(({ raw: _, data: __, ...i }) => i))),
            ...inputs.map((i) => i.raw ?? encodeRaw(i.datatype, i.data)),
          ])
        : Buffer.from(tensorJson({ inputs: payload.inputs }));
      return { body, contentType: "application/json", payload };
    },
    async send(encoded, requestId, timeoutMs) {
      const payload = encoded.payload as V2Payload;
      const { response, elapsedMs } = await client.infer(name, version, payload.inputs, requestId, {
        timeoutMs,
        binaryInputs: payload.binaryInputs,
        binaryOutputs: payload.binaryOutputs,
      });
      const tensors: PredictTensor[] = response.outputs.map(({ raw: _, ...o }) => o);
      const files = options.saveDir
        ? await saveOutputs(resolve(cwd, options.saveDir), response.outputs)
        : undefined;
      return {
        response: Object.fromEntries(response.outputs.map((o) => [o.name, o.data])),
        tensors,
        ...(files ? { files } : {}),
        httpStatus: 200,
        elapsedMs,
        ...(response.model_version || version ? { version: response.model_version ?? version } : {}),
        ...(response.id && response.id !== requestId ? { serverRequestId: response.id } : {}),
      };
    },
    async describe() {
      await meta();
      return version ? { version } : {};
    },
    async endpoint() {
      return {
        origin: new URL(client.baseUrl).origin,
        path: `${modelPath(name, version)}/infer`,
        headers: client.headers,
      };
    },
  };
}
