import { type FailureKind, nothingSent } from "./errors.js";

/** Gateway/overload answers: the server did not process the request, but we only know that for sure if resending is harmless. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([502, 503, 504]);

export interface Resend {
  /** The caller marked the request as safe to send twice. */
  idempotent: boolean;
  /** The body can be sent again (a stream cannot: the first attempt consumed it). */
  replayableBody: boolean;
}

/** Whether a failed attempt may be sent again. */
export function mayRetryFailure(kind: FailureKind, req: Resend): boolean {
  if (!req.replayableBody) return false;
  // Nothing reached the server, so any method may go again.
  if (nothingSent(kind)) return true;
  // The server may have acted on it: only a request that is safe to repeat.
  return req.idempotent && (kind === "reset" || kind === "timeout");
}

/** A 502/503/504 is answered again only for requests that are safe to repeat. */
export function mayRetryStatus(status: number, req: Resend): boolean {
  return RETRYABLE_STATUS.has(status) && req.idempotent && req.replayableBody;
}

/** Exponential backoff with jitter in [0.5, 1.5) x, so that many clients do not retry in lockstep. */
export function backoffDelay(retry: number, baseMs: number, random: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** retry * (0.5 + random()));
}
