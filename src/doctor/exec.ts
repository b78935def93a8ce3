import { execa } from "execa";
import type { Exec } from "./types.js";

/** Long enough for a cold JVM or CLI start, short enough that doctor never seems to hang. */
export const COMMAND_TIMEOUT_MS = 10_000;

/**
 * The real runner: execa with `reject: false` and a time limit per command.
 * `extendEnv: false` so the commands see exactly the env doctor was given
 * (process.env in the CLI, a controlled one in tests).
 */
export function createExec(
  env: NodeJS.ProcessEnv,
  { timeoutMs = COMMAND_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Exec {
  return async (file, args, options = {}) => {
    const limit = options.timeoutMs ?? timeoutMs;
    const r = await execa(file, args, {
      env: options.env ? { ...env, ...options.env } : env,
      extendEnv: false,
      reject: false,
      timeout: limit,
      // A command that ignores SIGTERM after the timeout is killed 2 s later.
      forceKillAfterDelay: 2_000,
      stdin: "ignore",
      ...(signal ? { cancelSignal: signal } : {}),
    });
    const failure = r.timedOut
      ? `timed out after ${limit / 1000}s`
      : r.isCanceled
        ? "cancelled"
        : r.exitCode === undefined && !r.signal
          ? `could not start (${(r.cause as NodeJS.ErrnoException | undefined)?.code ?? r.shortMessage})`
          : r.signal
            ? `killed by ${r.signal}`
            : undefined;
    return {
      exitCode: r.exitCode ?? -1,
      stdout: String(r.stdout ?? ""),
      stderr: String(r.stderr ?? ""),
      ...(failure ? { failure } : {}),
    };
  };
}
