import { open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { checkPorts, late, withDeadline } from "../../doctor/checks.js";
import { gpuProbeOf, type TorchCuda, torchCudaRow } from "../../doctor/gpu.js";
import {
  type CheckResult,
  type DoctorEnv,
  type ExecResult,
  explain,
  firstLine,
  pass,
} from "../../doctor/types.js";
import { javaMajor, locateJava } from "../../runtime/java.js";
import { locateTorchServe } from "./locate.js";

/** Importing torch from a cold disk can take well over 10 s; still bounded so doctor never hangs. */
export const PYTHON_PROBE_TIMEOUT_MS = 30_000;

const TORCHSERVE_FIX =
  "mserve setup torchserve  (a venv with the tested versions under $MSERVE_HOME/runtimes; or a ./.venv with torchserve==0.12.0 torch==2.13.0 pyyaml, or MSERVE_TORCHSERVE_BIN)";

/** The torchserve executable, its version, and the Python its workers will run. */
export async function checkTorchServe(d: DoctorEnv): Promise<CheckResult[]> {
  const found = locateTorchServe(d.env, d.cwd);
  if (!found) {
    const override = d.env.MSERVE_TORCHSERVE_BIN;
    return [
      {
        id: "torchserve",
        title: "torchserve",
        status: "fail",
        detail: override
          ? `MSERVE_TORCHSERVE_BIN is not an executable: ${override}`
          : "not found (MSERVE_TORCHSERVE_BIN, active venv, ./.venv or PATH)",
        fix: TORCHSERVE_FIX,
      },
    ];
  }
  const [version, python] = await Promise.all([
    d.exec(found.path, ["--version"]),
    workerPython(found.path).then((p) => checkWorkerPython(d, p)),
  ]);
  // `torchserve --version` prints "TorchServe Version is 0.12.0".
  const v = /(\d+\.\d+\.\d+)/.exec(version.stdout)?.[1];
  const versionRow: CheckResult = v?.startsWith("0.12.")
    ? pass("torchserve", "torchserve", `${v} (${found.path}, from ${found.source})`)
    : {
        id: "torchserve",
        title: "torchserve",
        status: "warn",
        detail: v
          ? `${v} at ${found.path}, expected 0.12.x`
          : `${found.path}: no version (${explain(version)})`,
        fix: "mserve is tested with TorchServe 0.12: pip install torchserve==0.12.0",
      };
  return [versionRow, ...python];
}

/**
 * TorchServe starts workers with its own `sys.executable`, i.e. the interpreter
 * in torchserve's shebang line. Without a Python shebang (a wrapper script),
 * fall back to the `python` in the same bin folder, as in a venv.
 */
export async function workerPython(torchserve: string): Promise<string> {
  const head = await readHead(torchserve);
  const interpreter = /^#!\s*(\S+)/.exec(head)?.[1];
  if (interpreter && /^python[\d.]*$/.test(basename(interpreter))) return interpreter;
  return join(dirname(torchserve), "python");
}

async function readHead(path: string): Promise<string> {
  const file = await open(path, "r").catch(() => undefined);
  if (!file) return "";
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await file.close();
  }
}

/**
 * One interpreter start for all modules: prints {"versions": {...}, "missing":
 * {module: error}, "cuda": TorchCuda | null}; CUDA as torch in the workers sees it.
 */
const PROBE = `import importlib, json
versions, missing, cuda = {}, {}, None
for name in ("torch", "yaml", "psutil"):
    try:
        versions[name] = str(getattr(importlib.import_module(name), "__version__", "present"))
    except Exception as error:
        missing[name] = type(error).__name__ + ": " + str(error)
if "torch" in versions:
    import torch
    cuda = {"version": torch.__version__, "available": bool(torch.cuda.is_available()),
            "cuda": torch.version.cuda, "devices": torch.cuda.device_count()}
print(json.dumps({"versions": versions, "missing": missing, "cuda": cuda}))`;

/** pip names; torch is always pinned because a bare `torch` resolves to the newest multi-GB CUDA build. */
const PIP_NAME: Record<string, string> = { torch: "torch==2.13.0", yaml: "pyyaml", psutil: "psutil" };

interface Probe {
  versions: Record<string, string>;
  missing: Record<string, string>;
  cuda?: TorchCuda | null;
}

/** The packages row, and (when torch imports) whether the workers' torch sees CUDA. */
async function checkWorkerPython(d: DoctorEnv, python: string): Promise<CheckResult[]> {
  const result = await d.exec(python, ["-c", PROBE], { timeoutMs: PYTHON_PROBE_TIMEOUT_MS });
  const probe = parseProbe(result.stdout);
  const packages = packagesRow(python, result, probe);
  if (!probe?.cuda) return [packages];
  const cuda = torchCudaRow(
    "torchserve-cuda",
    "torch CUDA (TorchServe workers)",
    python,
    probe.cuda,
    await gpuProbeOf(d),
  );
  return [packages, cuda];
}

function packagesRow(python: string, result: ExecResult, probe: Probe | undefined): CheckResult {
  const id = "python";
  const title = "worker Python packages";
  if (!probe) {
    return {
      id,
      title,
      status: "fail",
      detail: `${python}: ${explain(result)}`,
      fix: "TorchServe's workers need this interpreter: recreate the venv with `python3 -m venv .venv` and reinstall torchserve into it.",
    };
  }
  const missing = Object.keys(probe.missing);
  if (missing.length === 0) {
    const { torch, yaml, psutil } = probe.versions;
    return pass(id, title, `torch ${torch}, pyyaml ${yaml}, psutil ${psutil} (${python})`);
  }
  // A module that is present but fails to import (e.g. a broken CUDA library) is shown with its error.
  const reasons = missing.map((m) => {
    const error = probe.missing[m] ?? "";
    return error.startsWith("ModuleNotFoundError") ? m : `${m} (${firstLine(error)})`;
  });
  return {
    id,
    title,
    status: "fail",
    detail: `${python} cannot import ${reasons.join(", ")}`,
    fix:
      `${python} -m pip install ${missing.map((m) => PIP_NAME[m] ?? m).join(" ")}` +
      (missing.includes("yaml") ? "  (the worker imports yaml but TorchServe does not declare it)" : "") +
      (missing.includes("torch") ? "  (CPU-only: add --index-url https://download.pytorch.org/whl/cpu)" : ""),
  };
}

function parseProbe(stdout: string): Probe | undefined {
  // The last line only: sitecustomize or a noisy import may print before it.
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(last) as Partial<Probe>;
    return parsed.versions && parsed.missing ? (parsed as Probe) : undefined;
  } catch {
    return undefined;
  }
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
export { javaMajor };

export const TORCHSERVE_PORTS = [
  { port: 8080, role: "inference" },
  { port: 8081, role: "management" },
  { port: 8082, role: "metrics" },
  { port: 7070, role: "gRPC inference" },
  { port: 7071, role: "gRPC management" },
];

const PORTS_FIX =
  "Stop the other server (`mserve ps`, `mserve stop`), or start on other ports: `mserve serve --ports 9080,9081,9082` (gRPC follows to 9090,9091) or `--ports auto`.";

/** What `mserve serve --target torchserve` needs: Java 17, torchserve 0.12 with its worker Python, free ports. */
export async function torchserveDoctor(
  d: DoctorEnv,
  { localTimeoutMs = 10_000 } = {},
): Promise<CheckResult[]> {
  const [java, torchserve, ports] = await Promise.all([
    checkJava(d),
    checkTorchServe(d),
    withDeadline(
      checkPorts(TORCHSERVE_PORTS, PORTS_FIX),
      localTimeoutMs,
      late("ports", "default ports", "warn", localTimeoutMs),
    ),
  ]);
  return [java, ...torchserve, ports];
}
