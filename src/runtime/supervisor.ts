import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { MserveError } from "../errors.js";

export interface DetachedSpec {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
}

/**
 * Starts a long-running server in its own process group with output appended
 * to its log, and lets the CLI exit while it keeps running. The group matters:
 * TorchServe's launcher, its JVM and its Python workers are stopped together.
 */
export async function startDetached(spec: DetachedSpec): Promise<{ pid: number }> {
  // The log gets the raw descriptor: a pipe through this process would break when the CLI exits.
  const fd = openSync(spec.logFile, "a");
  try {
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("spawn", () => resolve(child.pid as number));
      child.once("error", reject);
    }).catch((error: NodeJS.ErrnoException) => {
      throw new MserveError("INVALID_INPUT", `cannot start ${spec.file}: ${error.code ?? error.message}`, {
        hint: "Check that the file exists and is executable (`mserve doctor`).",
        cause: error,
      });
    });
    child.unref();
    return { pid };
  } finally {
    closeSync(fd);
  }
}

/** Signal 0 checks without sending anything; EPERM means it exists but belongs to someone else. */
export function isGroupAlive(pid: number): boolean {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 0);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EPERM") return true;
    }
  }
  return false;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isGroupAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM to the group, SIGKILL after `graceMs`; `forced` says whether the kill was needed. */
export async function stopProcessGroup(pid: number, { graceMs = 20_000 } = {}): Promise<{ forced: boolean }> {
  signalGroup(pid, "SIGTERM");
  if (await waitGone(pid, graceMs)) return { forced: false };
  signalGroup(pid, "SIGKILL");
  if (!(await waitGone(pid, 5_000))) {
    throw new MserveError("SERVER_ERROR", `process group ${pid} did not exit even after SIGKILL`, {
      hint: `Check it with \`ps -g ${pid}\`.`,
    });
  }
  return { forced: true };
}

/** The argv of a live process (Linux /proc); undefined where that cannot be read. */
export async function processCommandLine(pid: number): Promise<string[] | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`).catch(() => undefined);
  return raw ? raw.toString("utf8").split("\0").filter(Boolean) : undefined;
}
