import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fromFsError, invalidInput, usageError } from "../../errors.js";
import type { PredictInput, Predictor } from "../../targets/target.js";
import { type Servable, servablePath, type V1Client } from "./client.js";

export interface V1PredictorOptions {
  name: string;
  servable: Servable;
  cwd: string;
  /** What to say when the body is not JSON: TF Serving takes JSON only; KServe v1 wraps text as one instance. */
  textAsInstance: boolean;
  /** Asks the server about the model without predicting (NOT_FOUND when it lacks it). */
  describe(): Promise<{ version?: string }>;
}

/** A v1 body from what the user gave: {"instances"|"inputs": …} as it is, a bare array as instances. */
async function v1Body(input: PredictInput, options: V1PredictorOptions): Promise<unknown> {
  if (input.inputs?.length)
    throw usageError(
      "-i/--input names v2 tensors; the v1 protocol takes one JSON body",
      "Use --json or --data.",
    );
  let text: string | undefined = input.json ?? input.data;
  if (input.file !== undefined) {
    const path = resolve(options.cwd, input.file);
    text = await readFile(path, "utf8").catch((error) =>
      Promise.reject(fromFsError(error, path, "input file")),
    );
  } else if (text?.startsWith("@") && input.json !== undefined) {
    const path = resolve(options.cwd, text.slice(1));
    text = await readFile(path, "utf8").catch((error) =>
      Promise.reject(fromFsError(error, path, "JSON input")),
    );
  }
  if (text === undefined)
    throw usageError(
      "no input given",
      'Give --json \'{"instances": [[1, 2, 3]]}\' (or "inputs"), or --data with the instances as JSON.',
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (options.textAsInstance && input.json === undefined) return { instances: [text] };
    throw invalidInput(
      "the request is not JSON",
      'The v1 protocol takes {"instances": [...]} (row format) or {"inputs": ...} (columnar).',
    );
  }
  if (Array.isArray(body)) return { instances: body };
  if (body === null || typeof body !== "object") return { instances: [body] };
  return body;
}

/** Predictions over the v1 protocol (TF Serving's REST API, KServe v1): `:predict` with a JSON body. */
export function v1Predictor(client: V1Client, options: V1PredictorOptions): Predictor {
  const { name, servable } = options;
  return {
    ...(servable.version ? { version: servable.version } : {}),
    async encode(input) {
      const body = await v1Body(input, options);
      return { body: Buffer.from(JSON.stringify(body)), contentType: "application/json" };
    },
    async send(encoded, _requestId, timeoutMs) {
      const { result, elapsedMs } = await client.predict(name, servable, encoded.body, timeoutMs);
      return {
        response: result,
        httpStatus: 200,
        elapsedMs,
        ...(servable.version ? { version: servable.version } : {}),
      };
    },
    describe: options.describe,
    async endpoint() {
      return {
        origin: new URL(client.baseUrl).origin,
        path: `${servablePath(name, servable)}:predict`,
        headers: client.headers,
      };
    },
  };
}
