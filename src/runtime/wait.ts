import { setTimeout as sleep } from "node:timers/promises";
import { MserveError } from "../errors.js";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** "TorchServe to answer /ping": completes "timed out after 30s waiting for …". */
  what: string;
  hint?: string;
  /** Called after each check that found nothing yet (spinners show the elapsed time). */
  onTick?: (tick: { attempt: number; elapsedMs: number }) => void;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))}s`;

/**
 * Polls `check` until it returns a value. A check that throws ends the wait
 * with its error (e.g. the server process died), so failures surface at once.
 * A check that hangs cannot outlast the deadline or an abort: each call is
 * raced against both (it is left to settle on its own).
 */
export async function waitUntil<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const { timeoutMs, intervalMs = 250, signal, what, hint, onTick } = options;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const timeout = () =>
    new MserveError("TIMEOUT", `timed out after ${seconds(timeoutMs)} waiting for ${what}`, { hint });
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw interrupted(signal);
    const value = await bounded(check(), deadline, signal, timeout);
    if (value !== undefined) return value;
    onTick?.({ attempt, elapsedMs: Date.now() - started });
    const left = deadline - Date.now();
    if (left <= 0) throw timeout();
    try {
      await sleep(Math.min(intervalMs, left), undefined, { signal });
    } catch {
      throw interrupted(signal as AbortSignal);
    }
  }
}

function interrupted(signal: AbortSignal): MserveError {
  // An MserveError as the abort reason (e.g. "server exited") is the more precise story.
  return signal.reason instanceof MserveError ? signal.reason : new MserveError("INTERRUPTED", "interrupted");
}

/** `work`, unless the deadline passes or `signal` aborts first. */
function bounded<V>(
  work: Promise<V>,
  deadline: number,
  signal: AbortSignal | undefined,
  timeout: () => MserveError,
): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    let done = false;
    const onAbort = () => finish(() => reject(interrupted(signal as AbortSignal)));
    const timer = setTimeout(() => finish(() => reject(timeout())), Math.max(0, deadline - Date.now()));
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
