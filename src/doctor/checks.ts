import { randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { mserveHome } from "../runtime/home.js";
import { isPortFree, portOwner } from "../runtime/ports.js";
import { locateExecutable, locateJava } from "../targets/torchserve/locate.js";
import { checkTorchServe } from "./torchserve.js";
import { type CheckResult, type DoctorEnv, explain, firstLine, pass } from "./types.js";

export { checkTorchServe, workerPython } from "./torchserve.js";
export type { CheckResult, CheckStatus, DoctorEnv, Exec, ExecResult } from "./types.js";

/** `openjdk version "17.0.9"` → 17; `java version "1.8.0_392"` → 8; `openjdk version "21" …` → 21. */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  // Before Java 9 the major version came second: "1.8" is Java 8.
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

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

const JAVA_FIX =
  "TorchServe 0.12 needs Java 17 or newer: `sudo apt install openjdk-17-jdk-headless` (or brew install openjdk@17), then set JAVA_HOME to it (e.g. /usr/lib/jvm/java-17-openjdk-amd64).";

/** Java as TorchServe's launcher finds it ($JAVA_HOME, then PATH), at version 17 or newer. */
export async function checkJava(d: DoctorEnv): Promise<CheckResult> {
  const id = "java";
  const title = "Java 17+ (TorchServe frontend)";
  const java = locateJava(d.env);
  if (!java)
    return {
      id,
      title,
      status: "fail",
      detail: "java not found in $JAVA_HOME/bin or on PATH",
      fix: JAVA_FIX,
    };
  // `java -version` writes to stderr.
  const result = await d.exec(java, ["-version"]);
  const major = javaMajor(`${result.stderr}\n${result.stdout}`);
  if (major === undefined)
    return { id, title, status: "fail", detail: `${java}: no version (${explain(result)})`, fix: JAVA_FIX };
  if (major < 17) return { id, title, status: "fail", detail: `${java} is Java ${major}`, fix: JAVA_FIX };
  return pass(id, title, `Java ${major} (${java})`);
}

/** TorchServe's defaults, which `mserve serve` uses unless --ports says otherwise. */
export const DEFAULT_PORTS = [
  { port: 8080, role: "inference" },
  { port: 8081, role: "management" },
  { port: 8082, role: "metrics" },
  { port: 7070, role: "gRPC inference" },
  { port: 7071, role: "gRPC management" },
];

/** A taken port only warns: `mserve serve --ports` can move the server elsewhere. */
export async function checkPorts(ports = DEFAULT_PORTS): Promise<CheckResult> {
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
    fix: "Stop the other server (`mserve ps`, `mserve stop`), or start on other ports: `mserve serve --ports 9080,9081,9082` (gRPC follows to 9090,9091) or `--ports auto`.",
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

/** Local checks have no command to time out, but a hung file system (e.g. NFS home) must not hang doctor. */
function withDeadline(check: Promise<CheckResult>, ms: number, late: CheckResult): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve(late), ms);
    timer.unref();
  });
  return Promise.race([check, deadline]).finally(() => clearTimeout(timer));
}

/** Every check, run concurrently; external commands are time-limited by `d.exec`, local ones here. */
export async function runChecks(d: DoctorEnv, { localTimeoutMs = 10_000 } = {}): Promise<CheckResult[]> {
  const late = (id: string, title: string, status: "warn" | "fail"): CheckResult => ({
    id,
    title,
    status,
    detail: `no answer within ${localTimeoutMs / 1000}s`,
    fix: "Check that the file system and network stack respond, then run `mserve doctor` again.",
  });
  const [java, torchserve, ports, docker, state] = await Promise.all([
    checkJava(d),
    checkTorchServe(d),
    withDeadline(checkPorts(), localTimeoutMs, late("ports", "default ports", "warn")),
    checkDocker(d),
    withDeadline(
      checkStateFolder(d.env),
      localTimeoutMs,
      late("state", "state folder ($MSERVE_HOME)", "fail"),
    ),
  ]);
  return [checkNode(d.nodeVersion), java, ...torchserve, ports, docker, state];
}
