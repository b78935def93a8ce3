import { MserveError } from "../errors.js";

/*
 * Pure helpers: what may be shown of a request (redaction) and which MserveError a
 * failed request becomes. No I/O here, so every mapping is unit-tested directly.
 */

// Query parameters whose values may be credentials (TorchServe keys, signed URLs, page tokens).
const SECRET_PARAM = /key|token|secret|passw|auth|signature|credential/i;
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key"]);

/** URL without query string or user info: what error messages may name. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return (url.split(/[?#]/)[0] ?? "").replace(/\/\/[^/@]*@/, "//");
  }
}

/** URL for --debug lines: the query says what was asked, so it stays, but secret-looking values become ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.hash = "";
    const names = [...new Set(u.searchParams.keys())].filter((name) => SECRET_PARAM.test(name));
    for (const name of names) u.searchParams.set(name, "***");
    return u.toString();
  } catch {
    return safeUrl(url);
  }
}

/** "Bearer abc" -> "Bearer ***": the scheme helps debugging, the credential never shows. */
export function redactCredential(value: string): string {
  const scheme = /^(\S+)\s+\S/.exec(value.trim());
  return scheme ? `${scheme[1]} ***` : "***";
}

/** " (authorization: Bearer ***)" when the request carries credentials in a header, else "". */
export function authNote(headers: Record<string, string> | undefined): string {
  const shown = Object.entries(headers ?? {})
    .filter(([name]) => SECRET_HEADERS.has(name.toLowerCase()))
    .map(([name, value]) => `${name.toLowerCase()}: ${redactCredential(value)}`);
  return shown.length > 0 ? ` (${shown.join(", ")})` : "";
}

/** Every secret string a request carries, so that foreign error texts can be scrubbed of them. */
export function secretsOf(url: string, headers: Record<string, string> | undefined): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) continue;
    secrets.push(value, ...value.trim().split(/\s+/).slice(1));
  }
  try {
    const u = new URL(url);
    if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
    for (const [name, value] of u.searchParams) if (SECRET_PARAM.test(name)) secrets.push(value);
  } catch {
    // Not a URL: it was rejected before anything could echo it.
  }
  // Very short values would mangle unrelated text and are not worth hiding.
  return secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

const NOT_CONNECTED: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};
const DNS: Record<string, string> = {
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "DNS lookup failed temporarily",
  EAI_FAIL: "DNS lookup failed",
};
const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED"]);
const TIMEOUT = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);
const CLOSED = new Set(["UND_ERR_CLOSED", "UND_ERR_DESTROYED"]);

type ErrorLike = { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown; syscall?: unknown };

/**
 * The errno or undici code of a failure. undici sometimes wraps the socket error in
 * `cause`, and Node's happy-eyeballs connect reports an AggregateError of attempts.
 */
export function networkCode(error: unknown): string | undefined {
  let e = error as ErrorLike | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if (typeof e.code === "string") return e.code;
    e = (Array.isArray(e.errors) ? e.errors[0] : e.cause) as ErrorLike | undefined;
  }
  return undefined;
}

export type FailureKind =
  | "refused"
  | "dns"
  | "connect-timeout"
  | "reset"
  | "timeout"
  | "invalid"
  | "closed"
  | "other";

export function failureKind(error: unknown): FailureKind {
  const code = networkCode(error) ?? "";
  const e = error as ErrorLike | undefined;
  if (code in NOT_CONNECTED) return "refused";
  if (code in DNS) return "dns";
  if (code === "UND_ERR_CONNECT_TIMEOUT") return "connect-timeout";
  // A kernel-level connect timeout also means nothing was sent.
  if (code === "ETIMEDOUT" && e?.syscall === "connect") return "connect-timeout";
  if (RESET.has(code)) return "reset";
  if (TIMEOUT.has(code)) return "timeout";
  if (code === "UND_ERR_INVALID_ARG") return "invalid";
  if (CLOSED.has(code)) return "closed";
  if (/other side closed|socket hang up/i.test(String(e?.message ?? ""))) return "reset";
  return "other";
}

/** Failures where the request never left this machine, so sending it again cannot duplicate anything. */
export function nothingSent(kind: FailureKind): boolean {
  return kind === "refused" || kind === "dns" || kind === "connect-timeout";
}

export interface FailureContext {
  /** Names the server, e.g. "TorchServe management API". */
  what: string;
  url: string;
  budgetMs: number;
  connectTimeoutMs: number;
  /** Values to scrub from foreign error texts (see secretsOf). */
  secrets?: readonly string[];
}

/** 300 -> "300ms", 1500 -> "1.5s", 30000 -> "30s". */
export function seconds(ms: number): string {
  // A budget under a second reads in milliseconds: "within 0s" said nothing.
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Math.round(ms / 100) / 10}s`;
}

export function timeoutError(what: string, url: string, budgetMs: number, cause?: unknown): MserveError {
  return new MserveError("TIMEOUT", `${what} did not answer within ${seconds(budgetMs)} (${safeUrl(url)})`, {
    hint: "Raise --timeout if the server is just slow (e.g. a large model loading).",
    cause,
  });
}

/** The caller's abort: its reason when that is already an MserveError (the CLI's Ctrl-C), else INTERRUPTED. */
export function interrupted(signal: AbortSignal, cause?: unknown): MserveError {
  const reason: unknown = signal.reason;
  if (reason instanceof MserveError) return reason;
  return new MserveError("INTERRUPTED", "interrupted", { cause: cause ?? reason });
}

export function tooLargeError(what: string, url: string, capBytes: number): MserveError {
  return new MserveError(
    "SERVER_ERROR",
    `${what} sent an answer larger than ${Math.round(capBytes / 1024 / 1024) || "<1"} MiB (${safeUrl(url)})`,
    { hint: "This endpoint is expected to answer with small JSON; check the URL points at the right API." },
  );
}

/** Turns a failed request into the exit code a user or script can act on; the original stays as `cause`. */
export function networkError(error: unknown, ctx: FailureContext): MserveError {
  const where = safeUrl(ctx.url);
  const code = networkCode(error) ?? "";
  const detail = () => scrub(String((error as ErrorLike | undefined)?.message ?? error), ctx.secrets ?? []);
  switch (failureKind(error)) {
    case "refused":
      return new MserveError(
        "UNREACHABLE",
        `${ctx.what} is not reachable at ${where} (${NOT_CONNECTED[code]})`,
        {
          hint: "Is the server running and is this the right host and port? `mserve ps` lists the servers mserve started.",
          cause: error,
        },
      );
    case "dns":
      return new MserveError("UNREACHABLE", `${ctx.what} is not reachable at ${where} (${DNS[code]})`, {
        hint: "Check the host name in the URL and your network/DNS settings.",
        cause: error,
      });
    case "connect-timeout":
      return new MserveError(
        "TIMEOUT",
        `${ctx.what} did not accept a connection within ${seconds(ctx.connectTimeoutMs)} (${where})`,
        {
          hint: "Check the host and port; a firewall may be silently dropping the connection.",
          cause: error,
        },
      );
    case "reset":
      return new MserveError(
        "UNREACHABLE",
        `connection reset by ${ctx.what} before it answered completely (${where})`,
        {
          hint: "The server may have crashed or restarted; check its log (`mserve logs`).",
          cause: error,
        },
      );
    case "timeout":
      return timeoutError(ctx.what, ctx.url, ctx.budgetMs, error);
    case "invalid":
      return new MserveError("INVALID_INPUT", `cannot send the request to ${where}: ${detail()}`, {
        cause: error,
      });
    case "closed":
      return new MserveError("INTERNAL", `request to ${where} after the HTTP client was closed`, {
        cause: error,
      });
    default:
      return new MserveError("UNREACHABLE", `request to ${where} failed: ${detail()}`, { cause: error });
  }
}
