import type { Readable } from "node:stream";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL; `query` is appended to it. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: string | Buffer | Uint8Array | Readable;
  /** Whole-request budget (connect + headers + body), ms. Default: the client's. */
  timeoutMs?: number;
  /**
   * Whether the request may be sent twice. Only then are resets, 502/503/504 and
   * timeouts retried; a refused connection (nothing was sent) is retried for any method.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Names the server in error messages, e.g. "TorchServe management API". */
  what?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
  text(): string;
  /** Parses the body as JSON; undefined when it is not JSON. */
  json(): unknown;
  /** Wall time from send to last body byte, ms. */
  elapsedMs: number;
}

export interface HttpClientOptions {
  /** Default per-request budget, ms (30 s). */
  timeoutMs?: number;
  /** Connect timeout, ms (5 s). */
  connectTimeoutMs?: number;
  /** Extra attempts after the first for retryable failures (2). */
  retries?: number;
  /** First backoff delay, ms (100); doubles each attempt, with jitter. */
  backoffMs?: number;
  /** Called with a redacted one-line description of each attempt (for --debug). */
  onDebug?: (line: string) => void;
  /** Largest response body accepted, bytes (64 MiB); more is a SERVER_ERROR. */
  maxBodyBytes?: number;
}

export interface HttpClient {
  /**
   * Resolves for every HTTP status; rejects only with MserveError: UNREACHABLE, TIMEOUT,
   * INTERRUPTED, SERVER_ERROR (body over the cap), INVALID_INPUT (not an http(s) URL),
   * INTERNAL (used after close()).
   */
  request(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}
