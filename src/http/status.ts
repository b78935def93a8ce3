import { type ErrorCode, MserveError } from "../errors.js";
import { safeUrl } from "./errors.js";
import type { HttpResponse } from "./types.js";

/**
 * The one meaning of an HTTP status for every server (exit codes, design.md §3).
 * A target overrides it only where its server documents another meaning
 * (TorchServe's 403 for removing a default version is a conflict, not a refusal).
 */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return "AUTH";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 408 || status === 504) return "TIMEOUT";
  return "SERVER_ERROR";
}

const AUTH_HINT =
  "The server refused the credentials (or asked for some): check the token or key for this server, or the ingress in front of it.";

export interface StatusFailure {
  /** "Triton", "KServe v1", "TF Serving": names the server in the message. */
  server: string;
  /** "infer intent:2", "status of linear": what was asked. */
  action: string;
  baseUrl: string;
  /** The server's own message, when its error body has one. */
  message?: string;
  /** Overrides codeForStatus where the body says more than the status (e.g. "unknown model"). */
  code?: ErrorCode;
  /** Hint for a NOT_FOUND (how to list what the server has). */
  notFoundHint?: string;
}

/** `{"error": "..."}`, the error body of the v1 and v2 protocols; any other body as text. */
export function errorMessage(response: HttpResponse): string {
  const body = response.json() as { error?: unknown } | undefined;
  if (body && typeof body.error === "string") return body.error;
  const text = response.text().trim();
  return text ? text.slice(0, 300) : `HTTP ${response.status}`;
}

/** Where a Python exception was raised, as the server reported it. */
export interface RaisedAt {
  file: string;
  line: number;
  function: string;
}

/**
 * The first line of a server's error, and where the model's Python code raised
 * it when the server says: Triton's Python backend appends "At:" and frames as
 * `path(line): function`, innermost first. KServe's model server writes an
 * exception as "ValueError : reason"; the usual "ValueError: reason" reads better.
 */
export function readServerError(message: string): { headline: string; raisedAt?: RaisedAt } {
  const headline = (message.split("\n")[0] ?? "").replace(
    /^([A-Z]\w*(?:Error|Exception|Warning)) : /,
    "$1: ",
  );
  const frame = /\nAt:\n\s+(.+?)\((\d+)\): (\S+)/.exec(message);
  if (!frame) return { headline };
  return {
    headline,
    raisedAt: { file: frame[1] as string, line: Number(frame[2]), function: frame[3] as string },
  };
}

/** A response that is not the success the caller wanted, as the MserveError a user can act on. */
export function statusError(response: HttpResponse, failure: StatusFailure): MserveError {
  const message = failure.message ?? errorMessage(response);
  const code = failure.code ?? codeForStatus(response.status);
  const { headline, raisedAt } = readServerError(message);
  const where = raisedAt ? ` at ${raisedAt.file}:${raisedAt.line} in ${raisedAt.function}` : "";
  const hint =
    code === "AUTH"
      ? AUTH_HINT
      : code === "NOT_FOUND" && failure.notFoundHint
        ? failure.notFoundHint
        : raisedAt
          ? `The model's own code raised it (${raisedAt.file}:${raisedAt.line}): fix it, package and deploy again. Server: ${safeUrl(failure.baseUrl)}`
          : `Server: ${safeUrl(failure.baseUrl)}`;
  return new MserveError(
    code,
    `${failure.server} ${failure.action}: ${headline}${where} (HTTP ${response.status})`,
    {
      hint,
      details: { status: response.status, error: message, ...(raisedAt ? { raisedAt } : {}) },
    },
  );
}
