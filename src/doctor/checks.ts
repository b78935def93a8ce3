import { randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { mserveHome } from "../runtime/home.js";
import { locateExecutable } from "../runtime/locate.js";
import { isPortFree, portOwner } from "../runtime/ports.js";
import { checkGpus, checkNvidiaContainerRuntime } from "./gpu.js";
import { type CheckResult, type DoctorEnv, explain, firstLine, pass } from "./types.js";

export type { CheckResult, CheckStatus, DoctorEnv, Exec, ExecResult } from "./types.js";

export function checkNode(version: string): CheckResult {
  const v = version.replace(/^v/, "");
  const [major = 0, minor = 0] = v.split(".").map(Number);
  return major > 20 || (major === 20 && minor >= 19)
    ? pass("node", "Node.js", `v${v}`)
    : {
        id: "node",
        title: "Node.js",
        status: "fail",
        detail: `v${v} is older than 20.19`,
        fix: "Install Node.js 20.19 or newer (e.g. `nvm install 22`).",
      };
}

/** A taken port only warns: `mserve serve --ports` can move the server elsewhere. */
export async function checkPorts(ports: { port: number; role: string }[], fix: string): Promise<CheckResult> {
  const free = await Promise.all(ports.map(({ port }) => isPortFree(port)));
  const taken = ports.filter((_, i) => !free[i]);
  if (taken.length === 0)
    return pass("ports", "default ports", `${ports.map((p) => p.port).join(", ")} free on 127.0.0.1`);
  const named = await Promise.all(
    taken.map(async ({ port, role }) => {
      const owner = await portOwner(port);
      return `${port} (${role}${owner ? `, pid ${owner.pid} ${owner.command}` : ""})`;
    }),
  );
  return {
    id: "ports",
    title: "default ports",
    status: "warn",
    detail: `in use on 127.0.0.1: ${named.join(", ")}`,
    fix,
  };
}

/** Docker is optional (only `--runtime docker` needs it), so every outcome here is at worst a warning. */
export async function checkDocker(d: DoctorEnv): Promise<CheckResult> {
  const id = "docker";
  const title = "docker (for --runtime docker)";
  // PATH only: a docker in a project venv is not what `serve --runtime docker` runs.
  const docker = locateExecutable("docker", { PATH: d.env.PATH }, "/");
  if (!docker) {
    return {
      id,
      title,
      status: "warn",
      detail: "docker CLI not on PATH",
      fix: "Only needed for `mserve serve --runtime docker`: install Docker Engine (https://docs.docker.com/engine/install/).",
    };
  }
  const server = await d.exec(docker.path, ["version", "--format", "{{.Server.Version}}"]);
  const version = firstLine(server.stdout);
  if (server.exitCode === 0 && version) return pass(id, title, `daemon ${version} (${docker.path})`);
  return {
    id,
    title,
    status: "warn",
    detail: `CLI present, daemon not reachable: ${explain(server)}`,
    fix: "Start the daemon (`sudo systemctl start docker` or Docker Desktop); for permission denied, add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again).",
  };
}

const FS_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOTDIR: "a parent is a file, not a folder",
  EEXIST: "exists but is not a folder",
  ENOSPC: "no space left on device",
  ENOENT: "cannot be created there",
};

const fsError = (code: string, message: string) => Object.assign(new Error(message), { code });

/**
 * `mkdir -p` one level at a time, returning the first folder it created. Not
 * `mkdir(path, { recursive: true })`: Node loops forever in that call when
 * mkdir keeps failing with ENOENT, e.g. for MSERVE_HOME=/proc/x.
 */
async function makeFolders(path: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (found?.isDirectory()) break;
    if (found) throw fsError(dir === path ? "EEXIST" : "ENOTDIR", `${dir} is not a folder`);
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  try {
    for (const dir of missing) await mkdir(dir);
  } catch (error) {
    if (missing[0]) await rm(missing[0], { recursive: true, force: true });
    throw error;
  }
  return missing[0];
}

/** The state folder must exist or be creatable, and be writable; doctor leaves no trace in it. */
export async function checkStateFolder(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const home = mserveHome(env);
  const title = "state folder ($MSERVE_HOME)";
  try {
    // Removing the first folder it had to create leaves the disk as found.
    const created = await makeFolders(home);
    try {
      const probe = join(home, `.doctor-${randomBytes(4).toString("hex")}`);
      await writeFile(probe, "");
      await rm(probe, { force: true });
    } finally {
      if (created) await rm(created, { recursive: true, force: true });
    }
    return pass("state", title, `${home} is ${created ? "creatable and " : ""}writable`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    return {
      id: "state",
      title,
      status: "fail",
      detail: `${home}: ${FS_REASONS[code] ?? (error as Error).message}`,
      fix: "Make it a writable folder (`mkdir -p` it, fix its owner/permissions), or point MSERVE_HOME at one.",
    };
  }
}

/** The checks every target shares, run concurrently; external commands are time-limited by `d.exec`, local ones here. */
export async function commonChecks(d: DoctorEnv, { localTimeoutMs = 10_000 } = {}): Promise<CheckResult[]> {
  const [docker, state, gpus, nvidiaRuntime] = await Promise.all([
    checkDocker(d),
    withDeadline(
      checkStateFolder(d.env),
      localTimeoutMs,
      late("state", "state folder ($MSERVE_HOME)", "fail", localTimeoutMs),
    ),
    checkGpus(d),
    checkNvidiaContainerRuntime(d),
  ]);
  return [checkNode(d.nodeVersion), docker, ...nvidiaRuntime, ...gpus, state];
}

/** The rows in the order doctor prints them: Node.js, then each target's own, then docker, the GPUs and the state folder. */
export function orderChecks(common: CheckResult[], perTarget: CheckResult[]): CheckResult[] {
  const [node, ...rest] = common;
  return [...(node ? [node] : []), ...perTarget, ...rest];
}

/** A local check that did not finish in time. */
export function late(id: string, title: string, status: "warn" | "fail", ms: number): CheckResult {
  return {
    id,
    title,
    status,
    detail: `no answer within ${ms / 1000}s`,
    fix: "Check that the file system and network stack respond, then run `mserve doctor` again.",
  };
}

/** Local checks have no command to time out, but a hung file system (e.g. NFS home) must not hang doctor. */
export function withDeadline(
  check: Promise<CheckResult>,
  ms: number,
  lateResult: CheckResult,
): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve(lateResult), ms);
    timer.unref();
  });
  return Promise.race([check, deadline]).finally(() => clearTimeout(timer));
}
