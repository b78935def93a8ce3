import type { Readable } from "node:stream";
import { z } from "zod";
import { MserveError } from "../../errors.js";
import { scrub, secretsOf } from "../../http/errors.js";
import { createHttpClient, type HttpClient, type HttpMethod, safeUrl } from "../../http/index.js";

const tagsSchema = z.array(z.object({ key: z.string(), value: z.string().default("") })).default([]);

export const mlflowVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: z.coerce.number().optional(),
  description: z.string().optional(),
  source: z.string().default(""),
  run_id: z.string().optional(),
  tags: tagsSchema,
  aliases: z.array(z.string()).default([]),
});
export type MlflowVersion = z.infer<typeof mlflowVersionSchema>;

const registeredModelSchema = z.object({
  name: z.string(),
  tags: tagsSchema,
  aliases: z.array(z.object({ alias: z.string(), version: z.string() })).default([]),
  last_updated_timestamp: z.coerce.number().optional(),
});
export type MlflowModel = z.infer<typeof registeredModelSchema>;

const errorSchema = z.object({ error_code: z.string(), message: z.string().default("") });

export interface MlflowApiOptions {
  url: string;
  token?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  debug?: (line: string) => void;
}

/** The MLflow REST calls mserve uses (api/2.0/mlflow), parsed with zod, errors mapped to exit codes. */
export class MlflowApi {
  readonly http: HttpClient;
  constructor(readonly options: MlflowApiOptions) {
    this.http = createHttpClient({ timeoutMs: options.timeoutMs, onDebug: options.debug });
  }

  get headers(): Record<string, string> {
    return this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
  }

  async call<T>(
    method: HttpMethod,
    path: string,
    schema: z.ZodType<T>,
    payload?: { query?: Record<string, string | number | undefined>; body?: unknown },
  ): Promise<T> {
    const response = await this.http.request({
      method,
      url: `${this.options.url}/api/2.0/mlflow/${path}`,
      query: payload?.query,
      headers: { ...this.headers, ...(payload?.body ? { "content-type": "application/json" } : {}) },
      body: payload?.body ? JSON.stringify(payload.body) : undefined,
      idempotent: method === "GET",
      signal: this.options.signal,
      what: "MLflow tracking server",
    });
    const data = response.json();
    if (response.status >= 200 && response.status < 300) {
      const parsed = schema.safeParse(data ?? {});
      if (parsed.success) return parsed.data;
      throw new MserveError(
        "SERVER_ERROR",
        `unexpected answer from MLflow ${path}: ${parsed.error.issues[0]?.message}`,
        {
          hint: "Is this URL an MLflow tracking server (2.x or 3.x)?",
        },
      );
    }
    throw mlflowError(path, response.status, data, this.options.url, this.options.token);
  }

  async registeredModel(name: string): Promise<MlflowModel | undefined> {
    return this.call("GET", "registered-models/get", z.object({ registered_model: registeredModelSchema }), {
      query: { name },
    })
      .then((r) => r.registered_model)
      .catch(absentOn404);
  }

  async searchModels(): Promise<MlflowModel[]> {
    const out: MlflowModel[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(
        "GET",
        "registered-models/search",
        z.object({
          registered_models: z.array(registeredModelSchema).default([]),
          next_page_token: z.string().optional(),
        }),
        { query: { max_results: 1000, page_token: token } },
      );
      out.push(...page.registered_models);
      token = page.next_page_token || undefined;
    } while (token);
    return out;
  }

  async searchVersions(filter: string): Promise<MlflowVersion[]> {
    const out: MlflowVersion[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(
        "GET",
        "model-versions/search",
        z.object({
          model_versions: z.array(mlflowVersionSchema).default([]),
          next_page_token: z.string().optional(),
        }),
        { query: { filter, max_results: 10_000, page_token: token } },
      );
      out.push(...page.model_versions);
      token = page.next_page_token || undefined;
    } while (token);
    return out;
  }

  async upload(url: string, body: Readable, size: number): Promise<void> {
    const response = await this.http.request({
      method: "PUT",
      url,
      headers: {
        ...this.headers,
        "content-type": "application/octet-stream",
        "content-length": String(size),
      },
      body,
      timeoutMs: Math.max(this.options.timeoutMs, 600_000),
      signal: this.options.signal,
      what: "MLflow artifact store",
    });
    if (response.status >= 300)
      throw mlflowError(
        "artifact upload",
        response.status,
        response.json(),
        this.options.url,
        this.options.token,
      );
  }

  close = () => this.http.close();
}

/** A 404 answer means "not there"; anything else stays an error. */
export function absentOn404(error: unknown): undefined {
  if (error instanceof MserveError && error.code === "NOT_FOUND") return undefined;
  throw error;
}

export function mlflowError(
  what: string,
  status: number,
  body: unknown,
  url: string,
  token?: string,
): MserveError {
  const parsed = errorSchema.safeParse(body);
  const code = parsed.success ? parsed.data.error_code : undefined;
  // A proxy may echo the request back: its credentials must not reach the terminal.
  const secrets = [...secretsOf(url, undefined), ...(token ? [token] : [])];
  const message = scrub(
    `MLflow ${what}: ${parsed.success ? parsed.data.message : `HTTP ${status}`}`,
    secrets,
  );
  const details = { status, errorCode: code };
  if (status === 401 || status === 403 || code === "UNAUTHENTICATED" || code === "PERMISSION_DENIED") {
    return new MserveError("AUTH", message, {
      hint: "Set MLFLOW_TRACKING_TOKEN (or fix its permissions); the token is never printed.",
      details,
    });
  }
  if (status === 404 || code === "RESOURCE_DOES_NOT_EXIST")
    return new MserveError("NOT_FOUND", message, { details });
  if (code === "RESOURCE_ALREADY_EXISTS") return new MserveError("CONFLICT", message, { details });
  return new MserveError("SERVER_ERROR", message, {
    hint: `The MLflow server at ${safeUrl(url)} refused the request.`,
    details,
  });
}
