import { access, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MserveError } from "../errors.js";
import { javaMajor, locateJava } from "../runtime/java.js";
import { isExecutable, locateExecutable, managedRuntime } from "../runtime/locate.js";
import type { RuntimeSpec } from "./runtime-spec.js";

export interface SetupRequest {
  name: string;
  spec: RuntimeSpec;
  env: NodeJS.ProcessEnv;
  /** The interpreter to build the venv with (--python); python3 on PATH by default. */
  python?: string;
  upgrade: boolean;
  signal: AbortSignal;
  onStep(text: string): void;
}

export interface SetupResult {
  runtime: string;
  path: string;
  python: string;
  pythonVersion: string;
  packages: readonly string[];
  status: "created" | "updated" | "unchanged";
  bins: Record<string, string>;
  next: string;
}

const STAMP = ".mserve-runtime.json";

async function run(file: string, args: string[], request: SetupRequest, onLine?: (line: string) => void) {
  const { execa } = await import("execa");
  const child = execa(file, args, {
    env: { ...request.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PYTHONUNBUFFERED: "1" },
    reject: false,
    all: true,
    cancelSignal: request.signal,
    stdin: "ignore",
  });
  const lines: string[] = [];
  child.all?.setEncoding("utf8");
  let partial = "";
  child.all?.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
  });
  const result = await child;
  if (partial) lines.push(partial);
  return { exitCode: result.exitCode ?? -1, lines, failed: result.failed, canceled: result.isCanceled };
}

/** What pip cannot install is checked before anything is downloaded, with what to install instead. */
async function preflight(request: SetupRequest): Promise<{ python: string; version: string }> {
  const { spec, env, name } = request;
  const platform = `${process.platform}-${process.arch}`;
  if (spec.platforms && !spec.platforms.includes(platform))
    throw new MserveError("INVALID_INPUT", `the ${name} runtime has no packages for ${platform}`, {
      hint: `Its packages exist for ${spec.platforms.join(", ")}; run the server as a container (--runtime docker) instead.`,
    });
  if (spec.needs?.includes("java17")) {
    const java = locateJava(env);
    const { execa } = await import("execa");
    const major = java
      ? javaMajor((await execa(java, ["-version"], { reject: false, env })).stderr as string)
      : undefined;
    if (major === undefined || major < 17)
      throw new MserveError(
        "INVALID_INPUT",
        `${name} needs Java 17 or newer (${java ? `${java} is Java ${major}` : "no java found"})`,
        {
          hint: "Install it first: `sudo apt install openjdk-17-jdk-headless` (or brew install openjdk@17), then set JAVA_HOME; then run `mserve setup` again.",
        },
      );
  }
  const python =
    request.python ?? env.MSERVE_PYTHON ?? locateExecutable("python3", { PATH: env.PATH }, "/")?.path;
  if (!python)
    throw new MserveError("INVALID_INPUT", "no python3 found to build the runtime with", {
      hint: `Install Python ${spec.python.min.join(".")}–${spec.python.max.join(".")} with its venv module, or pass --python /path/to/python3.`,
    });
  const probe = await run(python, ["-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"], request);
  const version = probe.lines.at(-1)?.trim() ?? "";
  const [major, minor] = version.split(".").map(Number) as [number, number];
  const { min, max } = spec.python;
  const inRange =
    probe.exitCode === 0 &&
    (major > min[0] || (major === min[0] && minor >= min[1])) &&
    (major < max[0] || (major === max[0] && minor <= max[1]));
  if (!inRange)
    throw new MserveError(
      "INVALID_INPUT",
      probe.exitCode === 0
        ? `${python} is Python ${version}; the ${name} runtime's packages need ${min.join(".")}–${max.join(".")}`
        : `${python} cannot make a venv: ${probe.lines.at(-1) ?? "it did not start"}`,
      {
        hint: `Install Python ${max.join(".")} (with python3-venv on Debian/Ubuntu) and pass it: mserve setup ${name} --python python${max.join(".")}`,
      },
    );
  return { python, version };
}

/** pip's lines as steps a spinner can show: what it fetches and installs. */
function pipStep(line: string): string | undefined {
  const m = /^(Collecting|Downloading|Installing collected packages:|Successfully installed)\s*(.*)/.exec(
    line.trim(),
  );
  return m ? `${m[1]} ${(m[2] ?? "").slice(0, 80)}`.trim() : undefined;
}

/**
 * Creates (or brings up to date) the venv of a runtime under
 * $MSERVE_HOME/runtimes/NAME with the pinned packages; `serve` finds it there.
 * Idempotent: the same pins again do nothing; a venv this call created is
 * removed when the install fails, so a half-made runtime is never found.
 */
export async function setupRuntime(request: SetupRequest): Promise<SetupResult> {
  const { name, spec, env } = request;
  const dir = managedRuntime(env, name);
  const { python, version } = await preflight(request);
  const want = { packages: spec.packages, python: version };
  const stamp = await readFile(join(dir, STAMP), "utf8")
    .then((text) => JSON.parse(text) as typeof want)
    .catch(() => undefined);
  const bins = () => Object.fromEntries(spec.bins.map((b) => [b, join(dir, "bin", b)]));
  const result = (status: SetupResult["status"]): SetupResult => ({
    runtime: name,
    path: dir,
    python: join(dir, "bin", "python"),
    pythonVersion: version,
    packages: spec.packages,
    status,
    bins: bins(),
    next: spec.next,
  });
  const complete = spec.bins.every((b) => isExecutable(join(dir, "bin", b)));
  if (!request.upgrade && complete && JSON.stringify(stamp) === JSON.stringify(want))
    return result("unchanged");
  const created = !(await access(join(dir, "bin", "python")).then(
    () => true,
    () => false,
  ));
  try {
    if (created) {
      request.onStep(`creating a venv with ${python} (Python ${version})`);
      const venv = await run(python, ["-m", "venv", dir], request);
      if (venv.exitCode !== 0)
        throw new MserveError(
          "INVALID_INPUT",
          `${python} -m venv ${dir} failed: ${venv.lines.at(-1) ?? ""}`,
          {
            hint: "On Debian/Ubuntu install python3-venv; or pass another interpreter with --python.",
          },
        );
    }
    request.onStep(`installing ${spec.packages.join(" ")}`);
    const pip = await run(
      join(dir, "bin", "python"),
      [
        "-m",
        "pip",
        "install",
        "--progress-bar",
        "off",
        ...(request.upgrade ? ["--upgrade"] : []),
        ...spec.packages,
      ],
      request,
      (line) => {
        const step = pipStep(line);
        if (step) request.onStep(step);
      },
    );
    if (pip.canceled) throw new MserveError("INTERRUPTED", `setup of ${name} was interrupted`);
    if (pip.exitCode !== 0) {
      const reason = pip.lines.filter((l) => /^ERROR:/.test(l.trim())).at(-1) ?? pip.lines.at(-1) ?? "";
      throw new MserveError("INVALID_INPUT", `pip could not install the ${name} runtime: ${reason.trim()}`, {
        hint: /connection|resolve|network|proxy/i.test(reason)
          ? "pip could not reach the package index: check the network or PIP_INDEX_URL."
          : `Try by hand: ${join(dir, "bin", "python")} -m pip install ${spec.packages.join(" ")}`,
        details: { log: pip.lines.slice(-20) },
      });
    }
    const missing = spec.bins.filter((b) => !isExecutable(join(dir, "bin", b)));
    if (missing.length)
      throw new MserveError("INTERNAL", `the ${name} runtime installed but has no ${missing.join(", ")}`);
    await writeFile(join(dir, STAMP), `${JSON.stringify(want, null, 2)}\n`);
    return result(created ? "created" : "updated");
  } catch (error) {
    if (created) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
