import { z } from "zod";
import { MserveError } from "../../errors.js";
import { parseAnswer } from "../../http/answer.js";
import { createHttpClient, type HttpClient, type HttpResponse, safeUrl } from "../../http/index.js";

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

const servablePath = (name: string, s: Servable) =>
  `/v1/models/${encodeURIComponent(name)}${s.version ? `/versions/${encodeURIComponent(s.version)}` : s.label ? `/labels/${encodeURIComponent(s.label)}` : ""}`;

/** TF Serving's REST API (port 8501): model status, metadata and :predict; errors are {"error": "..."}. */
export class TfServingClient {
  readonly http: HttpClient;
  constructor(
    readonly baseUrl: string,
    private readonly options: {
      timeoutMs: number;
      signal?: AbortSignal;
      onDebug?: (line: string) => void;
      /** Sent with every request, e.g. the Host of a KServe InferenceService behind an ingress. */
      headers?: Record<string, string>;
    },
  ) {
    this.http = createHttpClient({ timeoutMs: options.timeoutMs, onDebug: options.onDebug });
  }

  private fail(response: HttpResponse, action: string): never {
    const message =
      (response.json() as { error?: string } | undefined)?.error ?? response.text().slice(0, 300);
    const notFound = response.status === 404 || /not found|could not find/i.test(message);
    throw new MserveError(notFound ? "NOT_FOUND" : "SERVER_ERROR", `TF Serving ${action}: ${message}`, {
      hint: notFound
        ? "`mserve models --target tfserving` shows what the server has loaded."
        : `Server: ${safeUrl(this.baseUrl)}`,
      details: { status: response.status, error: message },
    });
  }

  async status(name: string, servable: Servable = {}): Promise<VersionStatus[]> {
    const response = await this.http.request({
      method: "GET",
      url: `${this.baseUrl}${servablePath(name, servable)}`,
      idempotent: true,
      headers: this.options.headers,
      signal: this.options.signal,
      what: "TF Serving",
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
      what: "TF Serving",
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
      body: JSON.stringify(body),
      signal: this.options.signal,
      timeoutMs,
      what: "TF Serving",
    });
    if (response.status !== 200) this.fail(response, `predict ${name}`);
    return { result: response.json(), elapsedMs: response.elapsedMs };
  }

  close = () => this.http.close();
}
