import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { MserveError } from "../../errors.js";
import type { HttpClient, HttpRequest, HttpResponse } from "../../http/types.js";
import { type Call, isInvalidKey, torchServeError } from "./errors.js";
import type { KeyedApi, TokenSource } from "./keys.js";
import type { DescribedModel, ModelList } from "./schemas.js";

type Schemas = typeof import("./schemas.js");
/** The response schemas load with the first answer that needs one: predict never does. */
const schemas = (): Promise<Schemas> => import("./schemas.js");

export interface TorchServeEndpoint {
  management: string;
  inference: string;
  metrics?: string;
}

export type ModelDescription = DescribedModel;
export type ListedModel = ModelList["models"][number];

export interface RegisterParams {
  /** A file name in the model store, or an http(s)/file URL the server may fetch. */
  url: string;
  modelName?: string;
  initialWorkers?: number;
  batchSize?: number;
  maxBatchDelayMs?: number;
  responseTimeoutSec?: number;
  startupTimeoutSec?: number;
  synchronous: boolean;
}

export interface PredictRequest {
  name: string;
  version?: string;
  body: Buffer | string;
  contentType?: string;
  requestId?: string;
  timeoutMs?: number;
}

export interface PredictResult {
  status: number;
  requestId: string;
  /** The id TorchServe assigned (its x-request-id response header). */
  serverRequestId?: string;
  contentType?: string;
  body: Buffer;
  elapsedMs: number;
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join("/");

/** The inference route of the default version, or of one version. */
export const predictionPath = (name: string, version?: string) =>
  `/predictions/${path(name, ...(version ? [version] : []))}`;

/**
 * Typed calls to TorchServe's management and inference APIs. Every call sends
 * the right key, retries once after re-reading a rotated key, and turns error
 * bodies into MserveErrors with hints.
 */
export class TorchServeClient {
  constructor(
    readonly endpoint: TorchServeEndpoint,
    private readonly http: HttpClient,
    private readonly tokens: TokenSource,
    private readonly options: { timeoutMs: number; signal?: AbortSignal; what?: string } = {
      timeoutMs: 30_000,
    },
  ) {}

  /** The same client without the command's abort signal: clean-up after Ctrl-C must still reach the server. */
  detached(): TorchServeClient {
    return new TorchServeClient(this.endpoint, this.http, this.tokens, {
      ...this.options,
      signal: undefined,
    });
  }

  private async send(api: KeyedApi, req: Omit<HttpRequest, "url"> & { path: string }): Promise<HttpResponse> {
    const base = api === "management" ? this.endpoint.management : this.endpoint.inference;
    const attempt = async () =>
      this.http.request({
        ...req,
        url: `${base.replace(/\/+$/, "")}${req.path}`,
        headers: { ...req.headers, ...(await this.tokens.headers(api)) },
        timeoutMs: req.timeoutMs ?? this.options.timeoutMs,
        signal: req.signal ?? this.options.signal,
        what: `TorchServe ${api} API${this.options.what ? ` (${this.options.what})` : ""}`,
      });
    const response = await attempt();
    if (!this.tokens.enabled || !isInvalidKey(response)) return response;
    // Keys expire (60 min by default): ask the server to rotate them, re-read the file, try once more.
    await this.refreshKey(api);
    return attempt();
  }

  private async refreshKey(api: KeyedApi): Promise<void> {
    this.tokens.invalidate();
    const response = await this.http.request({
      method: "GET",
      url: `${this.endpoint.management.replace(/\/+$/, "")}/token`,
      query: { type: api },
      headers: await this.tokens.apiKeyHeader(),
      timeoutMs: this.options.timeoutMs,
      signal: this.options.signal,
      idempotent: true,
      what: "TorchServe management API",
    });
    this.tokens.invalidate();
    if (response.status >= 400 && !isInvalidKey(response)) {
      throw torchServeError(response, { action: `refresh the ${api} key`, api: "management" });
    }
  }

  private async call(api: KeyedApi, call: Call, req: Omit<HttpRequest, "url"> & { path: string }) {
    const response = await this.send(api, req);
    if (response.status >= 400) throw torchServeError(response, call);
    return response;
  }

  private async parse<T>(
    pick: (s: Schemas) => z.ZodType<T>,
    response: HttpResponse,
    action: string,
  ): Promise<T> {
    const result = pick(await schemas()).safeParse(response.json());
    if (!result.success) {
      throw new MserveError("SERVER_ERROR", `${action}: unexpected answer from TorchServe`, {
        hint: "Is this a TorchServe 0.12 server? The body did not have the documented shape.",
        details: { body: response.text().slice(0, 500) },
      });
    }
    return result.data;
  }

  /** GET /ping: true when Healthy; a 500 "Unhealthy" means a model has fewer workers than minWorkers. */
  async ping(): Promise<{ healthy: boolean; status: string }> {
    const response = await this.call(
      "inference",
      { action: "ping", api: "inference" },
      {
        method: "GET",
        path: "/ping",
        idempotent: true,
      },
    ).catch((error: unknown) => {
      if (error instanceof MserveError && error.code === "SERVER_ERROR") return undefined;
      throw error;
    });
    if (!response) return { healthy: false, status: "Unhealthy" };
    const status = (await schemas()).statusBodySchema.safeParse(response.json());
    return { healthy: status.success && status.data.status === "Healthy", status: status.data?.status ?? "" };
  }

  /** All default versions, following nextPageToken. */
  async list(): Promise<ListedModel[]> {
    const models: ListedModel[] = [];
    let token: string | undefined;
    do {
      const response = await this.call(
        "management",
        { action: "list models", api: "management" },
        { method: "GET", path: "/models", query: { limit: 100, next_page_token: token }, idempotent: true },
      );
      const page = await this.parse((s) => s.modelListSchema, response, "list models");
      models.push(...page.models);
      // TorchServe 0.12 sends a token on the last page too: an empty or short page ends the walk.
      token = page.models.length === 100 ? page.nextPageToken : undefined;
    } while (token);
    return models;
  }

  /** GET /models/{name}[/{version}|/all]; 404 becomes NOT_FOUND. */
  async describe(name: string, version?: string): Promise<ModelDescription[]> {
    const action = `describe ${name}${version && version !== "all" ? `:${version}` : ""}`;
    const response = await this.call(
      "management",
      { action, api: "management" },
      { method: "GET", path: `/models/${path(name, ...(version ? [version] : []))}`, idempotent: true },
    );
    return this.parse((s) => s.describeResponseSchema, response, action);
  }

  /**
   * Where a registered version was loaded from (its modelUrl), or undefined when
   * the server lacks it. Read by hand, not through the zod schemas: every
   * `predict NAME@ALIAS` asks this, and loading zod alone takes ~40 ms.
   */
  async modelUrl(name: string, version: string): Promise<string | undefined> {
    const action = `describe ${name}:${version}`;
    const response = await this.call(
      "management",
      { action, api: "management" },
      { method: "GET", path: `/models/${path(name, version)}`, idempotent: true },
    ).catch((error: unknown) => {
      if (error instanceof MserveError && error.code === "NOT_FOUND") return undefined;
      throw error;
    });
    if (!response) return undefined;
    const body = response.json() as { modelUrl?: unknown }[] | undefined;
    const url = Array.isArray(body) ? body[0]?.modelUrl : undefined;
    if (typeof url !== "string")
      throw new MserveError("SERVER_ERROR", `${action}: unexpected answer from TorchServe`, {
        hint: "Is this a TorchServe 0.12 server? The body did not have the documented shape.",
        details: { body: response.text().slice(0, 500) },
      });
    return url;
  }

  /** describe() that answers undefined instead of throwing when the model or version is unknown. */
  async find(name: string, version?: string): Promise<ModelDescription[] | undefined> {
    return this.describe(name, version).catch((error: unknown) => {
      if (error instanceof MserveError && error.code === "NOT_FOUND") return undefined;
      throw error;
    });
  }

  async register(
    params: RegisterParams,
    timeoutMs?: number,
  ): Promise<{ status: number; message: string; registered?: { name: string; version: string } }> {
    const query = {
      url: params.url,
      model_name: params.modelName,
      initial_workers: params.initialWorkers,
      batch_size: params.batchSize,
      max_batch_delay: params.maxBatchDelayMs,
      response_timeout: params.responseTimeoutSec,
      startup_timeout: params.startupTimeoutSec,
      synchronous: params.synchronous,
    };
    const response = await this.call(
      "management",
      { action: `register ${params.modelName ?? params.url}`, api: "management" },
      { method: "POST", path: "/models", query, timeoutMs },
    );
    const message = (await this.parse((s) => s.statusBodySchema, response, "register")).status;
    // 200 says which model and version it registered; 202 ("Processing worker updates...") does not.
    const named = /Model "([^"]+)" Version: (\S+) registered/.exec(message);
    return {
      status: response.status,
      message,
      ...(named ? { registered: { name: named[1] as string, version: named[2] as string } } : {}),
    };
  }

  async unregister(name: string, version?: string): Promise<string> {
    const action = `unregister ${name}${version ? `:${version}` : ""}`;
    const response = await this.call(
      "management",
      { action, api: "management" },
      { method: "DELETE", path: `/models/${path(name, ...(version ? [version] : []))}` },
    );
    return (await this.parse((s) => s.statusBodySchema, response, action)).status;
  }

  async scale(
    name: string,
    version: string | undefined,
    workers: { min: number; max: number; synchronous: boolean },
    timeoutMs?: number,
  ): Promise<{ status: number; message: string }> {
    const action = `scale ${name}${version ? `:${version}` : ""}`;
    const response = await this.call(
      "management",
      { action, api: "management" },
      {
        method: "PUT",
        path: `/models/${path(name, ...(version ? [version] : []))}`,
        query: { min_worker: workers.min, max_worker: workers.max, synchronous: workers.synchronous },
        timeoutMs,
      },
    );
    return {
      status: response.status,
      message: (await this.parse((s) => s.statusBodySchema, response, action)).status,
    };
  }

  async setDefault(name: string, version: string): Promise<string> {
    const action = `set-default ${name} ${version}`;
    const response = await this.call(
      "management",
      { action, api: "management" },
      { method: "PUT", path: `/models/${path(name, version)}/set-default`, idempotent: true },
    );
    return (await this.parse((s) => s.statusBodySchema, response, action)).status;
  }

  async predict(req: PredictRequest): Promise<PredictResult> {
    const requestId = req.requestId ?? randomUUID();
    const response = await this.call(
      "inference",
      { action: `predict ${req.name}${req.version ? `:${req.version}` : ""}`, api: "inference" },
      {
        method: "POST",
        path: predictionPath(req.name, req.version),
        headers: {
          "x-request-id": requestId,
          ...(req.contentType ? { "content-type": req.contentType } : {}),
        },
        body: req.body,
        timeoutMs: req.timeoutMs,
      },
    );
    return {
      status: response.status,
      requestId,
      serverRequestId: response.headers["x-request-id"],
      contentType: response.headers["content-type"],
      body: response.body,
      elapsedMs: response.elapsedMs,
    };
  }
}

/** Workers that can take requests, and whether a version has as many as it asked for. */
export function readiness(model: ModelDescription): { ready: number; wanted: number; isReady: boolean } {
  const ready = model.workers.filter((w) => w.status === "READY").length;
  const wanted = Math.max(1, model.minWorkers);
  return { ready, wanted, isReady: ready >= wanted };
}
