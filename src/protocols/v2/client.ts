import { z } from "zod";
import { parseAnswer } from "../../http/answer.js";
import { createHttpClient, type HttpClient, type HttpResponse } from "../../http/index.js";
import { errorMessage, statusError } from "../../http/status.js";

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
  outputs: z.array(tensorMetaSchema.extend({ data: z.array(z.unknown()) })),
});
export type InferResponse = z.infer<typeof inferResponseSchema>;

export interface InferInput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

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
  ): Promise<HttpResponse> {
    return this.http.request({
      method,
      url: `${this.baseUrl}${path}`,
      headers: {
        ...this.options.headers,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
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

  async load(name: string, timeoutMs?: number): Promise<void> {
    const response = await this.call(
      "POST",
      `/v2/repository/models/${encodeURIComponent(name)}/load`,
      {},
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
    timeoutMs?: number,
  ): Promise<{ response: InferResponse; elapsedMs: number }> {
    const response = await this.call(
      "POST",
      `${modelPath(name, version)}/infer`,
      { id: requestId, inputs },
      timeoutMs,
    );
    if (response.status !== 200) this.fail(response, `infer ${name}${version ? `:${version}` : ""}`);
    return {
      response: parseAnswer(inferResponseSchema, response.json(), `infer ${name}`, V2_HINT),
      elapsedMs: response.elapsedMs,
    };
  }

  close = () => this.http.close();
}

const V2_HINT = "Is the URL a v2 (open inference protocol) endpoint, e.g. Triton, KServe v2 or MLServer?";

export const modelPath = (name: string, version?: string) =>
  `/v2/models/${encodeURIComponent(name)}${version ? `/versions/${encodeURIComponent(version)}` : ""}`;
