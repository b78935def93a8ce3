import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { mserveHome } from "../runtime/home.js";
import { isPortFree } from "../runtime/ports.js";
import { locateExecutable, locateJava, locateTorchServe } from "../targets/torchserve/locate.js";

export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Runs a command; never throws (exitCode -1 when it could not start or timed out). */
  exec(file: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  nodeVersion: string;
}

const pass = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: "pass",
  detail,
});

/** `openjdk version "17.0.9"` → 17; `java version "1.8.0_392"` → 8. */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

export function checkNode(version: string): CheckResult {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return ok
    ? pass("node", "Node.js", `v${version.replace(/^v/, "")}`)
    : {
        id: "node",
        title: "Node.js",
        status: "fail",
        detail: `v${version} is older than 20.19`,
        fix: "Install Node 20.19 or newer.",
      };
}

export async function checkJava(d: DoctorEnv): Promise<CheckResult> {
  const title = "Java 17 (TorchServe frontend)";
  const java = locateJava(d.env);
  if (!java) {
    return {
      id: "java",
      title,
      status: "fail",
      detail: "java not found on PATH or in $JAVA_HOME",
      fix: "Install OpenJDK 17 (e.g. `apt install openjdk-17-jdk-headless`) and set JAVA_HOME.",
    };
  }
  const { stdout, stderr } = await d.exec(java, ["-version"]);
  const major = javaMajor(`${stderr}\n${stdout}`);
  if (major === undefined)
    return { id: "java", title, status: "warn", detail: `${java}: could not read its version` };
  if (major < 17) {
    return {
      id: "java",
      title,
      status: "fail",
      detail: `${java} is Java ${major}`,
      fix: "TorchServe 0.12 needs Java 17 or newer (older ones fail with NoSuchMethodError). Install OpenJDK 17 and set JAVA_HOME.",
    };
  }
  return pass("java", title, `Java ${major} (${java})`);
}

export async function checkTorchServe(d: DoctorEnv): Promise<CheckResult[]> {
  const found = locateTorchServe(d.env, d.cwd);
  if (!found) {
    return [
      {
        id: "torchserve",
        title: "torchserve",
        status: "fail",
        detail: "not found (MSERVE_TORCHSERVE_BIN, active venv, ./.venv or PATH)",
        fix: "python3 -m venv .venv && .venv/bin/pip install torchserve==0.12.0 torch==2.13.0 pyyaml",
      },
    ];
  }
  const version = await d.exec(found.path, ["--version"]);
  const v = /(\d+\.\d+\.\d+)/.exec(version.stdout)?.[1];
  const results: CheckResult[] = [
    v?.startsWith("0.12.")
      ? pass("torchserve", "torchserve", `${v} (${found.path}, from ${found.source})`)
      : {
          id: "torchserve",
          title: "torchserve",
          status: "warn",
          detail: `${v ?? "unknown version"} at ${found.path}`,
          fix: "mserve is tested with TorchServe 0.12.0: pip install torchserve==0.12.0",
        },
  ];
  results.push(await checkWorkerPython(d, join(dirname(found.path), "python")));
  return results;
}

const PROBE = `import importlib, json
out = {}
for name in ("torch", "yaml", "psutil"):
    try:
        out[name] = getattr(importlib.import_module(name), "__version__", "present")
    except Exception as error:
        out[name] = None
print(json.dumps(out))`;

/** The worker runs the `python` next to torchserve: it needs torch, and yaml, which TorchServe does not declare. */
async function checkWorkerPython(d: DoctorEnv, python: string): Promise<CheckResult> {
  const title = "worker Python packages";
  const result = await d.exec(python, ["-c", PROBE]);
  let modules: Record<string, string | null> = {};
  try {
    modules = JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}");
  } catch {
    return {
      id: "python",
      title,
      status: "fail",
      detail: `${python} did not run`,
      fix: "Recreate the venv.",
    };
  }
  const missing = Object.entries(modules)
    .filter(([, v]) => v === null)
    .map(([k]) => k);
  if (missing.length === 0) {
    return pass("python", title, `torch ${modules.torch}, pyyaml ${modules.yaml}, psutil ${modules.psutil}`);
  }
  const pip = missing.map((m) => (m === "torch" ? "torch==2.13.0" : m === "yaml" ? "pyyaml" : m)).join(" ");
  return {
    id: "python",
    title,
    status: "fail",
    detail: `${python} lacks ${missing.join(", ")}`,
    fix: `${dirname(python)}/pip install ${pip}  (always pin torch: a bare \`torch\` pulls a multi-GB CUDA build)`,
  };
}

export async function checkPorts(ports = [8080, 8081, 8082, 7070, 7071]): Promise<CheckResult> {
  const taken: number[] = [];
  for (const port of ports) if (!(await isPortFree(port))) taken.push(port);
  return taken.length === 0
    ? pass("ports", "default ports", `${ports.join(", ")} free on 127.0.0.1`)
    : {
        id: "ports",
        title: "default ports",
        status: "warn",
        detail: `in use: ${taken.join(", ")}`,
        fix: "Another server holds them (`mserve ps`); start with `mserve serve --ports 9080,9081,9082` or `--ports auto`.",
      };
}

export async function checkDocker(d: DoctorEnv): Promise<CheckResult> {
  const title = "docker CLI (for --runtime docker)";
  const docker = locateExecutable("docker", { PATH: d.env.PATH }, "/");
  if (!docker) {
    return {
      id: "docker",
      title,
      status: "warn",
      detail: "not installed",
      fix: "Only needed for --runtime docker.",
    };
  }
  const server = await d.exec(docker.path, ["version", "--format", "{{.Server.Version}}"]);
  return server.exitCode === 0 && server.stdout.trim()
    ? pass("docker", title, `daemon ${server.stdout.trim()}`)
    : {
        id: "docker",
        title,
        status: "warn",
        detail: "CLI present, daemon not reachable",
        fix: "Start Docker to use --runtime docker.",
      };
}

export async function checkStateFolder(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const home = mserveHome(env);
  const probe = join(home, `.doctor-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(home, { recursive: true });
    await writeFile(probe, "");
    await rm(probe, { force: true });
    return pass("state", "state folder", `${home} is writable`);
  } catch (error) {
    return {
      id: "state",
      title: "state folder",
      status: "fail",
      detail: `${home}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      fix: "Fix its permissions, or point MSERVE_HOME at a writable folder.",
    };
  }
}

/** Every check, run concurrently; each external command has its own time limit in `exec`. */
export async function runChecks(d: DoctorEnv): Promise<CheckResult[]> {
  const [java, torchserve, ports, docker, state] = await Promise.all([
    checkJava(d),
    checkTorchServe(d),
    checkPorts(),
    checkDocker(d),
    checkStateFolder(d.env),
  ]);
  return [checkNode(d.nodeVersion), java, ...torchserve, ports, docker, state];
}
