import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fromFsError, MserveError } from "../errors.js";

export interface DetachedSpec {
  file: string;
  args: string[];
  cwd: string;
  /** The child's whole environment (not merged with this process's). */
  env: NodeJS.ProcessEnv;
  logFile: string;
}

export interface DetachedExit {
  exitCode?: number;
  signal?: string;
}

export interface Detached {
  pid: number;
  /**
   * Settles (never rejects) when the leader exits, as long as this process is
   * still running to see it. Awaiting it reaps the child; tests use that.
   */
  exited: Promise<DetachedExit>;
}

/**
 * Starts a long-running server in its own process group with output appended
 * to its log, and lets the CLI exit while it keeps running. The group matters:
 * TorchServe's launcher, its JVM and its Python workers are stopped together.
 */
export async function startDetached(spec: DetachedSpec): Promise<Detached> {
  // Checked here because spawn reports a missing cwd as ENOENT of the program, which misleads.
  const cwd = await stat(spec.cwd).catch(() => undefined);
  if (!cwd?.isDirectory()) {
    throw new MserveError("INVALID_INPUT", `cannot start ${spec.file}: ${spec.cwd} is not a folder`);
  }
  // The log gets the raw descriptor: a pipe through this process would break when the CLI exits.
  let fd: number;
  try {
    fd = openSync(spec.logFile, "a");
  } catch (error) {
    throw fromFsError(error, spec.logFile, "log file");
  }
  try {
    // Loaded on use: `predict` imports this module (through records.ts) but never starts anything.
    const { execa } = await import("execa");
    // execa's types list only descriptors 3–9; at run time any descriptor goes straight to spawn.
    const log = fd as 3;
    const subprocess = execa(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      extendEnv: false,
      detached: true,
      stdin: "ignore",
      stdout: log,
      stderr: log,
      // Failures come back as values: nobody may be awaiting this when the server dies.
      reject: false,
    });
    // 'spawn' fires before any exit; the promise settling first means the spawn itself failed.
    const early = await Promise.race([
      new Promise<undefined>((resolve) => subprocess.once("spawn", () => resolve(undefined))),
      subprocess,
    ]);
    if (early !== undefined || subprocess.pid === undefined) throw spawnError(spec.file, early?.code);
    subprocess.unref();
    const exited = subprocess.then((result) => ({
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      ...(result.signal === undefined ? {} : { signal: result.signal }),
    }));
    return { pid: subprocess.pid, exited };
  } finally {
    closeSync(fd);
  }
}

function spawnError(file: string, code: string | undefined): MserveError {
  if (code === "ENOENT") {
    return new MserveError("NOT_FOUND", `cannot start ${file}: no such program`, {
      hint: "Check that it is installed and on PATH (`mserve doctor`).",
    });
  }
  if (code === "EACCES") {
    return new MserveError("INVALID_INPUT", `cannot start ${file}: permission denied (not executable?)`, {
      hint: `Check its permissions (chmod +x ${file}).`,
    });
  }
  return new MserveError("INTERNAL", `cannot start ${file}: ${code ?? "unknown spawn failure"}`);
}

/**
 * Whether the group (or the lone pid) still has a running process. Signal 0
 * checks without sending anything; EPERM means it exists but belongs to
 * someone else. Zombies answer signal 0 too, until their parent reaps them;
 * a re-parented grandchild waits for init, which in some containers never
 * comes, so on Linux a group of zombies only counts as gone.
 */
export function isGroupAlive(pid: number): boolean {
  const answers = (target: number) => {
    try {
      process.kill(target, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  };
  if (!answers(-pid) && !answers(pid)) return false;
  return hasRunningMember(pid);
}

/** State and process group of a pid from /proc/<pid>/stat; undefined when unreadable. */
function procStat(pid: number | string): { state: string; pgrp: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
  const [state = "", , pgrp = ""] = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state, pgrp: Number(pgrp) };
}

function hasRunningMember(pid: number): boolean {
  const leader = procStat(pid);
  if (leader && leader.state !== "Z") return true;
  // Without /proc (macOS) the signal's answer is all there is.
  if (!leader && !existsSync("/proc/self/stat")) return true;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return true;
  }
  return pids.some((entry) => {
    const member = procStat(entry);
    return member !== undefined && member.pgrp === pid && member.state !== "Z";
  });
}

/** Signals the group, or the lone pid when it is not a group leader (records of older servers). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EPERM") {
        throw new MserveError("AUTH", `not allowed to stop process group ${pid} (another user's?)`, {
          hint: `Check its owner with \`ps -o user,pid,cmd -g ${pid}\`.`,
        });
      }
    }
  }
}

async function waitGone(pid: number, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isGroupAlive(pid)) {
    if (Date.now() >= deadline) return false;
    try {
      await sleep(Math.min(100, Math.max(1, deadline - Date.now())), undefined, { signal });
    } catch {
      throw new MserveError("INTERRUPTED", `interrupted while waiting for process group ${pid} to exit`, {
        hint: `It was sent SIGTERM and may still be shutting down; check with \`ps -g ${pid}\`.`,
      });
    }
  }
  return true;
}

/**
 * SIGTERM to the group, SIGKILL after `graceMs`; `forced` says whether the kill
 * was needed. Aborting `signal` stops the waiting (INTERRUPTED), not the stop.
 */
export async function stopProcessGroup(
  pid: number,
  { graceMs = 20_000, signal }: { graceMs?: number; signal?: AbortSignal } = {},
): Promise<{ forced: boolean }> {
  signalGroup(pid, "SIGTERM");
  if (await waitGone(pid, graceMs, signal)) return { forced: false };
  signalGroup(pid, "SIGKILL");
  // SIGKILL cannot be ignored, but the kernel needs a moment to tear a JVM down.
  if (!(await waitGone(pid, 5_000, signal))) {
    throw new MserveError("SERVER_ERROR", `process group ${pid} did not exit even after SIGKILL`, {
      hint: `Check it with \`ps -o pid,stat,cmd -g ${pid}\` (a D state means it is stuck in the kernel).`,
    });
  }
  return { forced: true };
}

/** The argv of a live process (Linux /proc); undefined where that cannot be read. */
export async function processCommandLine(pid: number): Promise<string[] | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`).catch(() => undefined);
  return raw ? raw.toString("utf8").split("\0").filter(Boolean) : undefined;
}
