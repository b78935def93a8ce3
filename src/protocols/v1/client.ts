import { z } from "zod";
import { parseAnswer } from "../../http/answer.js";
import { createHttpClient, type HttpClient, type HttpResponse } from "../../http/index.js";
import { errorMessage, statusError } from "../../http/status.js";

export const versionStatusSchema = z.object({
  model_version_status: z.array(
    z.object({
      version: z.string(),
      state: z.string(),
      status: z
        .object({ error_code: z.string().default("OK"), error_message: z.string().default("") })
        .default({ error_code: "OK", error_message: "" }),
    }),
  ),
});
export type VersionStatus = z.infer<typeof versionStatusSchema>["model_version_status"][number];

/** Which servable a request names: the latest, a version, or a label. */
export type Servable = { version?: string; label?: string };

export const servablePath = (name: string, s: Servable) =>
  `/v1/models/${encodeURIComponent(name)}${s.version ? `/versions/${encodeURIComponent(s.version)}` : s.label ? `/labels/${encodeURIComponent(s.label)}` : ""}`;

export interface V1ClientOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onDebug?: (line: string) => void;
  /** Sent with every request, e.g. the Host of a KServe InferenceService behind an ingress. */
  headers?: Record<string, string>;
  /** Names the server in messages: "TF Serving", "KServe v1". */
  server?: string;
  /** How to list what the server has, for a model it does not know. */
  notFoundHint?: string;
}

/**
 * TF Serving's REST API (port 8501), which KServe's v1 protocol copies: model
 * status, metadata and :predict; errors are {"error": "..."}.
 */
export class V1Client {
  readonly http: HttpClient;
  constructor(
    readonly baseUrl: string,
    private readonly options: V1ClientOptions,
  ) {
    this.http = createHttpClient({ timeoutMs: options.timeoutMs, onDebug: options.onDebug });
  }

  /** Headers every request carries (a KServe Host), for load generators that bypass this client. */
  get headers(): Record<string, string> {
    return { ...this.options.headers };
  }

  /** KServe v1's `GET /v1/models/NAME`: {name, ready}; NOT_FOUND for a model it does not serve. */
  async model(name: string): Promise<{ name?: string; ready?: boolean }> {
    const response = await this.http.request({
      method: "GET",
      url: `${this.baseUrl}${servablePath(name, {})}`,
      idempotent: true,
      headers: this.options.headers,
      signal: this.options.signal,
      what: this.server,
    });
    if (response.status !== 200) this.fail(response, `status of ${name}`);
    return (response.json() ?? {}) as { name?: string; ready?: boolean };
  }

  private get server() {
    return this.options.server ?? "v1 server";
  }

  private fail(response: HttpResponse, action: string): never {
    const message = errorMessage(response);
    throw statusError(response, {
      server: this.server,
      action,
      baseUrl: this.baseUrl,
      message,
      // TF Serving answers 404 or 400 with "Could not find …" for an unknown servable.
      ...(response.status !== 401 && response.status !== 403 && /not found|could not find/i.test(message)
        ? { code: "NOT_FOUND" }
        : {}),
      notFoundHint: this.options.notFoundHint,
    });
  }

  async status(name: string, servable: Servable = {}): Promise<VersionStatus[]> {
    const response = await this.http.request({
      method: "GET",
      url: `${this.baseUrl}${servablePath(name, servable)}`,
      idempotent: true,
      headers: this.options.headers,
      signal: this.options.signal,
      what: this.server,
    });
    if (response.status !== 200) this.fail(response, `status of ${name}`);
    return parseAnswer(
      versionStatusSchema,
      response.json(),
      `status of ${name}`,
      "Is the URL a TF Serving REST endpoint (port 8501)?",
    ).model_version_status;
  }

  async metadata(name: string, servable: Servable = {}): Promise<unknown> {
    const response = await this.http.request({
      method: "GET",
      url: `${this.baseUrl}${servablePath(name, servable)}/metadata`,
      idempotent: true,
      headers: this.options.headers,
      signal: this.options.signal,
      what: this.server,
    });
    if (response.status !== 200) this.fail(response, `metadata of ${name}`);
    return response.json();
  }

  async predict(
    name: string,
    servable: Servable,
    body: unknown,
    timeoutMs?: number,
  ): Promise<{ result: unknown; elapsedMs: number }> {
    const response = await this.http.request({
      method: "POST",
      url: `${this.baseUrl}${servablePath(name, servable)}:predict`,
      headers: { ...this.options.headers, "content-type": "application/json" },
      body: Buffer.isBuffer(body) ? body : JSON.stringify(body),
      signal: this.options.signal,
      timeoutMs,
      what: this.server,
    });
    if (response.status !== 200) this.fail(response, `predict ${name}`);
    return { result: response.json(), elapsedMs: response.elapsedMs };
  }

  close = () => this.http.close();
}
