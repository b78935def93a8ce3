import { setTimeout as sleep } from "node:timers/promises";
import { MserveError } from "../errors.js";
import {
  authNote,
  type FailureContext,
  failureKind,
  interrupted,
  networkCode,
  networkError,
  redactUrl,
  safeUrl,
  secretsOf,
  timeoutError,
  tooLargeError,
} from "./errors.js";
import { backoffDelay, mayRetryFailure, mayRetryStatus, type Resend } from "./retry.js";
import { BodyTooLarge, createTransport } from "./transport.js";
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from "./types.js";

export const HTTP_DEFAULTS = {
  timeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  retries: 2,
  backoffMs: 100,
  maxBodyBytes: 64 * 1024 * 1024,
} as const;

/**
 * The one HTTP client: a keep-alive pool, one time budget per call that covers every
 * attempt and backoff (so --timeout is what the user waits at most), and retries only
 * where sending twice is harmless.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? HTTP_DEFAULTS.timeoutMs;
  const connectTimeoutMs = options.connectTimeoutMs ?? HTTP_DEFAULTS.connectTimeoutMs;
  const retries = options.retries ?? HTTP_DEFAULTS.retries;
  const backoffMs = options.backoffMs ?? HTTP_DEFAULTS.backoffMs;
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes;
  const debug = options.onDebug;
  const transport = createTransport({ connectTimeoutMs, maxBodyBytes });

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const url = buildUrl(req.url, req.query);
    const href = url.toString();
    const budgetMs = req.timeoutMs ?? timeoutMs;
    const ctx: FailureContext = {
      what: req.what ?? "the server",
      url: href,
      budgetMs,
      connectTimeoutMs,
      secrets: secretsOf(href, req.headers),
    };
    const label = `${req.method} ${redactUrl(href)}${authNote(req.headers)}`;
    const resend: Resend = { idempotent: req.idempotent === true, replayableBody: !isStream(req.body) };
    if (req.signal?.aborted) throw interrupted(req.signal);
    const budget = callBudget(req.signal, budgetMs);

    // Waits before attempt n+1; false when no retry is left or the budget has no room for one,
    // in which case the caller reports what actually happened rather than a timeout.
    const again = async (n: number, why: string): Promise<boolean> => {
      if (n > retries) return false;
      const delay = backoffDelay(n - 1, backoffMs);
      if (delay >= budget.remainingMs()) return false;
      debug?.(`${label} attempt ${n + 1}/${retries + 1} after ${why} (in ${delay} ms)`);
      try {
        await sleep(delay, undefined, { signal: budget.signal });
      } catch (error) {
        throw req.signal?.aborted
          ? interrupted(req.signal, error)
          : timeoutError(ctx.what, href, budgetMs, error);
      }
      return true;
    };

    try {
      for (let n = 1; ; n++) {
        const started = performance.now();
        let response: HttpResponse;
        try {
          response = await transport.exchange(req, url, budget.signal);
        } catch (error) {
          const took = `(${Math.round(performance.now() - started)} ms)`;
          if (req.signal?.aborted) {
            debug?.(`${label} -> interrupted ${took}`);
            throw interrupted(req.signal, error);
          }
          if (budget.spent()) {
            debug?.(`${label} -> no answer within the budget ${took}`);
            throw timeoutError(ctx.what, href, budgetMs, error);
          }
          if (error instanceof BodyTooLarge) {
            debug?.(`${label} -> body over ${maxBodyBytes} bytes ${took}`);
            throw tooLargeError(ctx.what, href, maxBodyBytes);
          }
          const kind = failureKind(error);
          const why = networkCode(error) ?? kind;
          debug?.(`${label} -> ${why} ${took}`);
          if (mayRetryFailure(kind, resend) && (await again(n, why))) continue;
          throw networkError(error, ctx);
        }
        debug?.(`${label} -> ${response.status} (${Math.round(response.elapsedMs)} ms)`);
        if (mayRetryStatus(response.status, resend) && (await again(n, `HTTP ${response.status}`))) continue;
        return response;
      }
    } finally {
      budget.dispose();
    }
  }

  let closing: Promise<void> | undefined;
  return { request, close: () => (closing ??= transport.close()) };
}

/** Appends `query` (undefined values are left out); anything but an absolute http(s) URL is refused. */
function buildUrl(raw: string, query: HttpRequest["query"]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // No `cause`: the URL parser's error repeats the whole input, query secrets included.
    throw new MserveError("INVALID_INPUT", `not a valid URL: ${safeUrl(raw)}`, {
      hint: "Use an absolute URL such as http://127.0.0.1:8081.",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MserveError("INVALID_INPUT", `not an http(s) URL: ${safeUrl(raw)}`, {
      hint: "Use an absolute URL such as http://127.0.0.1:8081.",
    });
  }
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}

/**
 * One abort signal per call that fires when the budget is spent or the caller aborts.
 * Built by hand rather than with AbortSignal.any so that the listener on the caller's
 * long-lived signal and the timer are removed as soon as the call ends.
 */
function callBudget(caller: AbortSignal | undefined, budgetMs: number) {
  const controller = new AbortController();
  const deadline = performance.now() + budgetMs;
  let spent = false;
  const timer = setTimeout(() => {
    spent = true;
    controller.abort(new DOMException("the request budget is spent", "TimeoutError"));
  }, budgetMs);
  const onAbort = () => controller.abort(caller?.reason);
  caller?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    spent: () => spent,
    remainingMs: () => Math.max(0, deadline - performance.now()),
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    },
  };
}

function isStream(body: HttpRequest["body"]): boolean {
  return typeof (body as { pipe?: unknown } | undefined)?.pipe === "function";
}
