import { setTimeout as sleep } from "node:timers/promises";
import { MserveError } from "../errors.js";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** "TorchServe to answer /ping": completes "timed out after 30s waiting for …". */
  what: string;
  hint?: string;
}

/**
 * Polls `check` until it returns a value. A check that throws ends the wait
 * with its error (e.g. the server process died), so failures surface at once.
 */
export async function waitUntil<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal?.aborted) {
      const reason = options.signal.reason;
      throw reason instanceof MserveError ? reason : new MserveError("INTERRUPTED", "interrupted");
    }
    const value = await check();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new MserveError(
        "TIMEOUT",
        `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${options.what}`,
        {
          hint: options.hint,
        },
      );
    }
    await sleep(Math.min(options.intervalMs ?? 250, left), undefined, { signal: options.signal }).catch(
      () => {},
    );
  }
}
