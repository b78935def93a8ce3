import { setTimeout as sleep } from "node:timers/promises";
import { Agent, errors as undiciErrors } from "undici";
import { MserveError } from "../errors.js";
import { failureKind, networkError, safeUrl, timeoutError } from "./errors.js";
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from "./types.js";

const MAX_BODY = 64 * 1024 * 1024;
const RETRYABLE_STATUS = new Set([502, 503, 504]);

function withQuery(url: string, query: HttpRequest["query"]): string {
  if (!query) return url;
  const u = new URL(url);
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) u.searchParams.set(key, String(value));
  return u.toString();
}

function flatHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers))
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

/**
 * The one HTTP client: a keep-alive pool, one time budget per request that
 * covers every retry, and retries only where sending twice is harmless.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const defaultTimeout = options.timeoutMs ?? 30_000;
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const backoff = options.backoffMs ?? 100;
  const debug = options.onDebug;
  // undici does not reuse a socket after `Connection: close`, which TorchServe sends with every error.
  const agent = new Agent({ connect: { timeout: connectTimeout }, keepAliveTimeout: 4_000 });

  async function attempt(req: HttpRequest, url: string, signal: AbortSignal): Promise<HttpResponse> {
    const started = performance.now();
    const response = await agent.request({
      origin: new URL(url).origin,
      path: `${new URL(url).pathname}${new URL(url).search}`,
      method: req.method,
      headers: req.headers,
      body: req.body as never,
      signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        response.body.destroy();
        throw new MserveError("SERVER_ERROR", `the answer from ${safeUrl(url)} is larger than 64 MiB`);
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    let parsed: unknown;
    let didParse = false;
    return {
      status: response.statusCode,
      headers: flatHeaders(response.headers),
      body,
      text: () => body.toString("utf8"),
      json: () => {
        if (!didParse) {
          didParse = true;
          try {
            parsed = JSON.parse(body.toString("utf8"));
          } catch {
            parsed = undefined;
          }
        }
        return parsed;
      },
      elapsedMs: performance.now() - started,
    };
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const budget = req.timeoutMs ?? defaultTimeout;
    const what = req.what ?? "the server";
    const url = withQuery(req.url, req.query);
    const timer = AbortSignal.timeout(budget);
    const signal = req.signal ? AbortSignal.any([req.signal, timer]) : timer;
    const canResend =
      Boolean(req.idempotent) && !(req.body && typeof (req.body as { pipe?: unknown }).pipe === "function");
    for (let n = 0; ; n++) {
      try {
        const response = await attempt(req, url, signal);
        debug?.(`${req.method} ${safeUrl(url)} -> ${response.status} (${Math.round(response.elapsedMs)} ms)`);
        if (canResend && RETRYABLE_STATUS.has(response.status) && n < retries) {
          await pause(n, `HTTP ${response.status}`);
          continue;
        }
        return response;
      } catch (error) {
        if (error instanceof MserveError) throw error;
        if (req.signal?.aborted) {
          const reason = req.signal.reason;
          throw reason instanceof MserveError
            ? reason
            : new MserveError("INTERRUPTED", "interrupted", { cause: error });
        }
        if (timer.aborted || error instanceof undiciErrors.RequestAbortedError) {
          throw timeoutError(what, safeUrl(url), budget, error);
        }
        const kind = failureKind(error);
        // A refused connection sent nothing, so any method may try again; anything else only if idempotent.
        const retryable =
          kind === "refused" || kind === "dns" ? n < retries : canResend && kind !== "other" && n < retries;
        if (!retryable) throw networkError(error, what, url, budget);
        await pause(n, kind);
      }
    }

    async function pause(n: number, why: string) {
      const delay = backoff * 2 ** n * (0.5 + Math.random());
      debug?.(
        `${req.method} ${safeUrl(url)} attempt ${n + 2}/${retries + 1} after ${why} (in ${Math.round(delay)} ms)`,
      );
      try {
        await sleep(delay, undefined, { signal });
      } catch (error) {
        if (req.signal?.aborted) {
          const reason = req.signal.reason;
          throw reason instanceof MserveError ? reason : new MserveError("INTERRUPTED", "interrupted");
        }
        throw timeoutError(what, safeUrl(url), budget, error);
      }
    }
  }

  return { request, close: () => agent.close() };
}
