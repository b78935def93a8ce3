import { z } from "zod";
import { parseAnswer } from "../../http/answer.js";
import { createHttpClient, type HttpClient, type HttpResponse } from "../../http/index.js";
import { errorMessage, statusError } from "../../http/status.js";
import { decodeRaw, encodeRaw, tensorJson } from "./tensor.js";

const tensorMetaSchema = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()) });
export const modelMetadataSchema = z.object({
  name: z.string(),
  // KServe's Python server answers null for both; Triton always fills them.
  versions: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  platform: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  inputs: z.array(tensorMetaSchema).default([]),
  outputs: z.array(tensorMetaSchema).default([]),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export const indexEntrySchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  state: z.string().optional(),
  reason: z.string().optional(),
});
export type IndexEntry = z.infer<typeof indexEntrySchema>;

export const inferResponseSchema = z.object({
  model_name: z.string(),
  model_version: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
  id: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
  outputs: z.array(
    tensorMetaSchema.extend({
      // Absent for an output sent with the binary extension: its bytes follow the JSON header.
      data: z.array(z.unknown()).optional(),
      parameters: z.record(z.string(), z.unknown()).nullish(),
    }),
  ),
});
export interface OutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  /** Flat, row-major. */
  data: unknown[];
  /** The little-endian bytes, when the server sent them binary. */
  raw?: Buffer;
}
export type InferResponse = Omit<z.infer<typeof inferResponseSchema>, "outputs"> & {
  outputs: OutputTensor[];
};

export interface InferInput {
  name: string;
  shape: number[];
  datatype: string;
  /** Flat, row-major. */
  data: unknown[];
  /** Little-endian bytes (from a .npy file): sent as they are with the binary extension. */
  raw?: Buffer;
}

export interface InferOptions {
  timeoutMs?: number;
  /** Inputs as binary tensor data (the binary_tensor_data extension) instead of JSON. */
  binaryInputs?: boolean;
  /** Ask for outputs as binary tensor data. */
  binaryOutputs?: boolean;
}

const HEADER_LENGTH = "inference-header-content-length";

export interface V2ClientOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onDebug?: (line: string) => void;
  /** Sent with every request, e.g. the Host of a KServe InferenceService behind an ingress. */
  headers?: Record<string, string>;
  /** Names the server in messages: "Triton", "KServe v2". */
  server?: string;
  /** How to list what the server has, for a model it does not know. */
  notFoundHint?: string;
}

/**
 * The open inference protocol (KServe v2: health, metadata, infer) and Triton's
 * repository extension (index, load, unload), as Triton, KServe and MLServer
 * serve them. Errors are `{"error": "..."}` with a status that says little (a
 * failed load is 400 or 500), so callers add context.
 */
export class V2Client {
  readonly http: HttpClient;
  constructor(
    readonly baseUrl: string,
    private readonly options: V2ClientOptions,
  ) {
    this.http = createHttpClient({ timeoutMs: options.timeoutMs, onDebug: options.onDebug });
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    timeoutMs?: number,
    raw?: { body: Buffer; headers: Record<string, string> },
  ): Promise<HttpResponse> {
    return this.http.request({
      method,
      url: `${this.baseUrl}${path}`,
      headers: {
        ...this.options.headers,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...raw?.headers,
      },
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
      idempotent: method === "GET" || path.endsWith("/index"),
      signal: this.options.signal,
      timeoutMs,
      what: this.options.server ?? "the v2 server",
    });
  }

  /** Headers every request carries (a KServe Host), for load generators that bypass this client. */
  get headers(): Record<string, string> {
    return { ...this.options.headers };
  }

  private fail(response: HttpResponse, action: string): never {
    const message = errorMessage(response);
    throw statusError(response, {
      server: this.options.server ?? "v2 server",
      action,
      baseUrl: this.baseUrl,
      message,
      // Triton says 400 for a model it does not know; the text is what tells.
      ...(/unknown model|no available versions|failed to poll/i.test(message) ? { code: "NOT_FOUND" } : {}),
      notFoundHint: this.options.notFoundHint,
    });
  }

  async live(): Promise<boolean> {
    return (await this.call("GET", "/v2/health/live")).status === 200;
  }

  async index(): Promise<IndexEntry[]> {
    const response = await this.call("POST", "/v2/repository/index", {});
    if (response.status !== 200) this.fail(response, "repository index");
    return parseAnswer(z.array(indexEntrySchema), response.json() ?? [], "repository index", V2_HINT);
  }

  /** Loads from the repository; `parameters` (strings) override its config or files (Triton's load API). */
  async load(name: string, timeoutMs?: number, parameters?: Record<string, string>): Promise<void> {
    const response = await this.call(
      "POST",
      `/v2/repository/models/${encodeURIComponent(name)}/load`,
      parameters ? { parameters } : {},
      timeoutMs,
    );
    if (response.status !== 200) this.fail(response, `load ${name}`);
  }

  async unload(name: string): Promise<void> {
    const response = await this.call("POST", `/v2/repository/models/${encodeURIComponent(name)}/unload`, {});
    if (response.status !== 200) this.fail(response, `unload ${name}`);
  }

  async ready(name: string, version?: string): Promise<boolean> {
    const response = await this.call("GET", `${modelPath(name, version)}/ready`);
    // "Not ready" is any other answer, but a refused credential is not an answer about the model.
    if (response.status === 401 || response.status === 403) this.fail(response, `readiness of ${name}`);
    return response.status === 200;
  }

  async metadata(name: string, version?: string): Promise<ModelMetadata> {
    const response = await this.call("GET", modelPath(name, version));
    if (response.status !== 200) this.fail(response, `metadata of ${name}`);
    return parseAnswer(modelMetadataSchema, response.json(), `metadata of ${name}`, V2_HINT);
  }

  async config(name: string): Promise<Record<string, unknown>> {
    const response = await this.call("GET", `${modelPath(name)}/config`);
    if (response.status !== 200) this.fail(response, `config of ${name}`);
    return (response.json() ?? {}) as Record<string, unknown>;
  }

  async infer(
    name: string,
    version: string | undefined,
    inputs: InferInput[],
    requestId: string,
    options: InferOptions = {},
  ): Promise<{ response: InferResponse; elapsedMs: number }> {
    const path = `${modelPath(name, version)}/infer`;
    const response = options.binaryInputs
      ? await this.call("POST", path, undefined, options.timeoutMs, binaryRequest(inputs, requestId, options))
      : await this.call("POST", path, undefined, options.timeoutMs, {
          body: Buffer.from(
            tensorJson({
              id: requestId,
              inputs: inputs.map(({ raw: _, ...i }) => i),
              ...(options.binaryOutputs ? { parameters: { binary_data_output: true } } : {}),
            }),
          ),
          headers: { "content-type": "application/json" },
        });
    if (response.status !== 200) this.fail(response, `infer ${name}${version ? `:${version}` : ""}`);
    return { response: readInferResponse(response, name), elapsedMs: response.elapsedMs };
  }

  close = () => this.http.close();
}

/** The binary tensor extension: a JSON header naming each input's byte count, then the bytes in that order. */
function binaryRequest(
  inputs: InferInput[],
  requestId: string,
  options: InferOptions,
): { body: Buffer; headers: Record<string, string> } {
  const chunks = inputs.map((i) => i.raw ?? encodeRaw(i.datatype, i.data));
  const header = Buffer.from(
    JSON.stringify({
      id: requestId,
      inputs: inputs.map((i, n) => ({
        name: i.name,
        shape: i.shape,
        datatype: i.datatype,
        parameters: { binary_data_size: chunks[n]?.length ?? 0 },
      })),
      ...(options.binaryOutputs ? { parameters: { binary_data_output: true } } : {}),
    }),
  );
  return {
    body: Buffer.concat([header, ...chunks]),
    headers: { "content-type": "application/octet-stream", [HEADER_LENGTH]: String(header.length) },
  };
}

/** A JSON answer, or a JSON header followed by the outputs' bytes in the order the header lists them. */
function readInferResponse(response: HttpResponse, name: string): InferResponse {
  const headerLength = Number(response.headers[HEADER_LENGTH] ?? Number.NaN);
  const binary = Number.isInteger(headerLength) && headerLength > 0;
  const json = binary
    ? JSON.parse(response.body.subarray(0, headerLength).toString("utf8"))
    : response.json();
  const parsed = parseAnswer(inferResponseSchema, json, `infer ${name}`, V2_HINT);
  let at = binary ? headerLength : response.body.length;
  const outputs = parsed.outputs.map(({ parameters, data, ...o }): OutputTensor => {
    const size = Number(parameters?.binary_data_size ?? Number.NaN);
    if (!Number.isInteger(size)) return { ...o, data: data ?? [] };
    const raw = response.body.subarray(at, at + size);
    at += size;
    return { ...o, data: decodeRaw(o.datatype, raw), raw };
  });
  return { ...parsed, outputs };
}

const V2_HINT = "Is the URL a v2 (open inference protocol) endpoint, e.g. Triton, KServe v2 or MLServer?";

export const modelPath = (name: string, version?: string) =>
  `/v2/models/${encodeURIComponent(name)}${version ? `/versions/${encodeURIComponent(version)}` : ""}`;
