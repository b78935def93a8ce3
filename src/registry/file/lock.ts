import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { MserveError } from "../../errors.js";
import { registryFsError } from "./fs-errors.js";

export interface LockOptions {
  /** A holder that stops refreshing the lock for this long is presumed dead (kill -9). */
  staleMs?: number;
  /** How long to wait for a busy lock before giving up with exit 8. */
  waitMs?: number;
}

/**
 * Runs `work` while holding the exclusive lock of `folder`. The lock is a
 * directory (mkdir is atomic, also on NFS) refreshed while held, so a crashed
 * holder's lock goes stale and the next writer takes over instead of hanging.
 */
export async function withLock<T>(
  folder: string,
  work: (stillHeld: () => void) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 10_000;
  const waitMs = options.waitMs ?? 30_000;
  await mkdir(folder, { recursive: true }).catch((error) => Promise.reject(registryFsError(error, folder)));
  let compromised: Error | undefined;
  const started = Date.now();
  let release: (() => Promise<void>) | undefined;
  while (!release) {
    try {
      release = await lockfile.lock(folder, {
        lockfilePath: join(folder, ".lock"),
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, staleMs / 4),
        retries: { retries: 50, factor: 1.2, minTimeout: 5, maxTimeout: 60, randomize: true },
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      if ((error as { code?: string }).code !== "ELOCKED") throw registryFsError(error, folder);
      if (Date.now() - started > waitMs) {
        throw new MserveError(
          "TIMEOUT",
          `the registry lock ${join(folder, ".lock")} stayed busy for ${Math.round(waitMs / 1000)}s`,
          {
            hint: "Another mserve is writing to this model; retry. A lock left by a crashed process expires by itself after 10s.",
          },
        );
      }
    }
  }
  try {
    // Called right before each commit: a writer that lost the lock must not overwrite the one that took it.
    const stillHeld = () => {
      if (compromised) {
        throw new MserveError("CONFLICT", "the registry lock was taken over while this update ran", {
          hint: "The machine was too slow to refresh the lock; retry the command.",
        });
      }
    };
    return await work(stillHeld);
  } finally {
    await release().catch(() => {});
  }
}
