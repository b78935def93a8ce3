import { MserveError } from "../errors.js";

/** URL without query string or credentials: safe to print (keys never travel in the query, but be sure). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

const REFUSED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"]);
const DNS = new Set(["ENOTFOUND", "EAI_AGAIN"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TIMEOUTS = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/** The errno-like code of a network error, looking through undici's `cause` chain. */
export function networkCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === "string") return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

export type FailureKind = "refused" | "dns" | "reset" | "timeout" | "other";

export function failureKind(error: unknown): FailureKind {
  const code = networkCode(error);
  if (code && REFUSED.has(code)) return "refused";
  if (code && DNS.has(code)) return "dns";
  if (code && RESET.has(code)) return "reset";
  if (code && TIMEOUTS.has(code)) return "timeout";
  return "other";
}

/** Turns a failed request into the exit code a user or script can act on. */
export function networkError(error: unknown, what: string, url: string, budgetMs: number): MserveError {
  const where = safeUrl(url);
  switch (failureKind(error)) {
    case "refused":
      return new MserveError("UNREACHABLE", `${what} is not reachable at ${where} (connection refused)`, {
        hint: "Is the server running and is this the right port? `mserve ps` lists the servers mserve started.",
        cause: error,
      });
    case "dns":
      return new MserveError("UNREACHABLE", `cannot resolve the host of ${where}`, {
        hint: "Check the host name in the URL.",
        cause: error,
      });
    case "reset":
      return new MserveError(
        "UNREACHABLE",
        `connection reset by ${what} during ${where} (the server closed it)`,
        {
          hint: "The server may have crashed or restarted; check its log (`mserve logs`).",
          cause: error,
        },
      );
    case "timeout":
      return timeoutError(what, where, budgetMs, error);
    default:
      return new MserveError(
        "UNREACHABLE",
        `request to ${where} failed: ${(error as Error)?.message ?? error}`,
        {
          cause: error,
        },
      );
  }
}

export function timeoutError(what: string, where: string, budgetMs: number, cause?: unknown): MserveError {
  return new MserveError(
    "TIMEOUT",
    `${what} did not answer within ${Math.round(budgetMs / 100) / 10}s (${where})`,
    {
      hint: "Raise --timeout if the server is just slow (e.g. a large model loading).",
      cause,
    },
  );
}
