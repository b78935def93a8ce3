import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/commands/doctor.js";
import { createContext } from "../../src/context.js";
import {
  type CheckResult,
  checkDocker,
  checkNode,
  checkPorts,
  checkStateFolder,
  type DoctorEnv,
} from "../../src/doctor/checks.js";
import { createExec } from "../../src/doctor/exec.js";
import { MserveError } from "../../src/errors.js";
import { kserveDoctor } from "../../src/targets/kserve/doctor.js";
import { tfservingDoctor } from "../../src/targets/tfserving/doctor.js";
import { checkJava, checkTorchServe, javaMajor, workerPython } from "../../src/targets/torchserve/doctor.js";
import { tritonDoctor } from "../../src/targets/triton/doctor.js";

// Fake tools are real shell scripts, so the checks also exercise the execa runner.
const JAVA_17 = `echo 'openjdk version "17.0.9" 2023-10-17' >&2`;
const JAVA_8 = `echo 'java version "1.8.0_392"' >&2`;
const TORCHSERVE = `echo "TorchServe Version is 0.12.0"`;
const probeAnswer = (missing: Record<string, string> = {}) =>
  `[ "$1" = "-c" ] || exit 9\necho '${JSON.stringify({ versions: { torch: "2.13.0", yaml: "6.0.2", psutil: "7.0.0" }, missing })}'`;
const DOCKER_UP = `echo 27.3.1`;
const DOCKER_DOWN = `echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1`;

const temps: string[] = [];
afterAll(() => Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mserve-doctor-"));
  temps.push(dir);
  return dir;
}

async function writeScript(path: string, body: string, shebang = "/bin/sh"): Promise<void> {
  await writeFile(path, `#!${shebang}\n${body}\n`);
  await chmod(path, 0o755);
}

/** A temp bin folder holding the given fake tools. */
async function fakeBin(scripts: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, body] of Object.entries(scripts)) await writeScript(join(dir, name), body);
  return dir;
}

const doctorEnv = (env: NodeJS.ProcessEnv, timeoutMs?: number): DoctorEnv => ({
  env,
  cwd: "/",
  nodeVersion: "20.20.0",
  exec: createExec(env, timeoutMs ? { timeoutMs } : {}),
});

describe("javaMajor", () => {
  it.each([
    ['openjdk version "17.0.9" 2023-10-17', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['openjdk version "11.0.21" 2023-10-17 LTS', 11],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "1.8.0_402"', 8],
    ["no version here", undefined],
  ])("%s → %s", (text, major) => expect(javaMajor(text)).toBe(major));
});

describe("checkNode", () => {
  it("needs 20.19 or newer", () => {
    expect(checkNode("20.18.3")).toMatchObject({ status: "fail", fix: expect.stringContaining("20.19") });
    expect(checkNode("20.19.0").status).toBe("pass");
    expect(checkNode("v22.1.0").status).toBe("pass");
    expect(checkNode("18.20.0").status).toBe("fail");
  });
});

describe("checkJava", () => {
  it("passes Java 17 and fails Java 8 with an openjdk-17 / JAVA_HOME fix", async () => {
    const ok = await checkJava(doctorEnv({ PATH: await fakeBin({ java: JAVA_17 }) }));
    expect(ok).toMatchObject({ status: "pass", detail: expect.stringContaining("Java 17") });
    const old = await checkJava(doctorEnv({ PATH: await fakeBin({ java: JAVA_8 }) }));
    expect(old).toMatchObject({ status: "fail", detail: expect.stringContaining("Java 8") });
    expect(old.fix).toMatch(/openjdk-17/);
    expect(old.fix).toMatch(/JAVA_HOME/);
  });

  it("prefers $JAVA_HOME/bin/java over PATH, as TorchServe does", async () => {
    const home = await tempDir();
    await mkdir(join(home, "bin"));
    await writeScript(join(home, "bin", "java"), JAVA_17);
    const result = await checkJava(doctorEnv({ JAVA_HOME: home, PATH: await fakeBin({ java: JAVA_8 }) }));
    expect(result).toMatchObject({ status: "pass", detail: expect.stringContaining(home) });
  });

  it("fails when there is no java", async () => {
    const result = await checkJava(doctorEnv({ PATH: await tempDir() }));
    expect(result).toMatchObject({ status: "fail", detail: expect.stringContaining("not found") });
  });

  it("gives up on a java that hangs instead of hanging doctor", async () => {
    const started = Date.now();
    const result = await checkJava(doctorEnv({ PATH: await fakeBin({ java: "exec /bin/sleep 5" }) }, 300));
    expect(result).toMatchObject({ status: "fail", detail: expect.stringContaining("timed out after 0.3s") });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("checkTorchServe", () => {
  it("passes 0.12 with a complete worker Python next to it", async () => {
    const PATH = await fakeBin({ torchserve: TORCHSERVE, python: probeAnswer() });
    const [version, python] = await checkTorchServe(doctorEnv({ PATH }));
    expect(version).toMatchObject({
      id: "torchserve",
      status: "pass",
      detail: expect.stringContaining("0.12.0"),
    });
    expect(python).toMatchObject({
      id: "python",
      status: "pass",
      detail: expect.stringContaining("torch 2.13.0"),
    });
  });

  it("warns about another TorchServe version", async () => {
    const PATH = await fakeBin({ torchserve: `echo "TorchServe Version is 0.11.1"`, python: probeAnswer() });
    const [version] = await checkTorchServe(doctorEnv({ PATH }));
    expect(version).toMatchObject({ status: "warn", detail: expect.stringContaining("0.11.1") });
    expect(version?.fix).toContain("torchserve==0.12.0");
  });

  it("fails a missing torch with a pinned install", async () => {
    const PATH = await fakeBin({
      torchserve: TORCHSERVE,
      python: probeAnswer({ torch: "ModuleNotFoundError: No module named 'torch'" }),
    });
    const [, python] = await checkTorchServe(doctorEnv({ PATH }));
    expect(python).toMatchObject({ status: "fail", detail: expect.stringContaining("cannot import torch") });
    expect(python?.fix).toContain("pip install torch==2.13.0");
  });

  it("fails a missing yaml with `pip install pyyaml`", async () => {
    const PATH = await fakeBin({
      torchserve: TORCHSERVE,
      python: probeAnswer({ yaml: "ModuleNotFoundError: No module named 'yaml'" }),
    });
    const [, python] = await checkTorchServe(doctorEnv({ PATH }));
    expect(python?.status).toBe("fail");
    expect(python?.fix).toMatch(/pip install pyyaml(?!\S)/);
    expect(python?.fix).not.toContain("torch==");
  });

  it("fails when the worker Python does not exist", async () => {
    const PATH = await fakeBin({ torchserve: TORCHSERVE });
    const [, python] = await checkTorchServe(doctorEnv({ PATH }));
    expect(python).toMatchObject({ status: "fail", detail: expect.stringContaining("could not start") });
  });

  it("probes the interpreter in torchserve's shebang: the one TorchServe starts workers with", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "venv"));
    await mkdir(join(dir, "bin"));
    const python = join(dir, "venv", "python3");
    // Run as the shebang interpreter, the fake python gets torchserve's path then `--version`.
    await writeScript(
      python,
      `if [ "$1" = "-c" ]; then ${probeAnswer().split("\n")[1]}; else ${TORCHSERVE}; fi`,
    );
    await writeScript(join(dir, "bin", "torchserve"), "", python);
    expect(await workerPython(join(dir, "bin", "torchserve"))).toBe(python);
    const results = await checkTorchServe(doctorEnv({ PATH: join(dir, "bin") }));
    expect(results.map((r) => r.status)).toEqual(["pass", "pass"]);
    expect(results[1]?.detail).toContain(python);
  });

  it("uses the python next to a wrapper script without a Python shebang", async () => {
    const dir = await fakeBin({ torchserve: TORCHSERVE });
    expect(await workerPython(join(dir, "torchserve"))).toBe(join(dir, "python"));
  });

  it("fails when MSERVE_TORCHSERVE_BIN points at nothing, naming the variable", async () => {
    const results = await checkTorchServe(
      doctorEnv({ PATH: await tempDir(), MSERVE_TORCHSERVE_BIN: "/nonexistent/torchserve" }),
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("MSERVE_TORCHSERVE_BIN"),
    });
    expect(results[0]?.fix).toContain("torch==2.13.0");
  });
});

describe("checkDocker", () => {
  it("passes with a reachable daemon, warns without a daemon or without the CLI", async () => {
    const up = await checkDocker(doctorEnv({ PATH: await fakeBin({ docker: DOCKER_UP }) }));
    expect(up).toMatchObject({ status: "pass", detail: expect.stringContaining("27.3.1") });
    const down = await checkDocker(doctorEnv({ PATH: await fakeBin({ docker: DOCKER_DOWN }) }));
    expect(down).toMatchObject({ status: "warn", detail: expect.stringContaining("Cannot connect") });
    const none = await checkDocker(doctorEnv({ PATH: await tempDir() }));
    expect(none).toMatchObject({ status: "warn", fix: expect.stringContaining("--runtime docker") });
  });
});

describe("checkStateFolder", () => {
  it("fails when MSERVE_HOME cannot be a folder", async () => {
    const file = join(await tempDir(), "a-file");
    await writeFile(file, "");
    const result = await checkStateFolder({ MSERVE_HOME: join(file, "home") });
    expect(result).toMatchObject({ status: "fail", detail: expect.stringContaining("not a folder") });
    expect(result.fix).toMatch(/MSERVE_HOME/);
  });

  it("fails quickly under /proc, where Node's recursive mkdir would loop forever", async () => {
    const result = await checkStateFolder({ MSERVE_HOME: "/proc/mserve-doctor/home" });
    expect(result).toMatchObject({ status: "fail", detail: expect.stringContaining("cannot be created") });
  });

  it("fails when MSERVE_HOME is a file", async () => {
    const file = join(await tempDir(), "a-file");
    await writeFile(file, "");
    const result = await checkStateFolder({ MSERVE_HOME: file });
    expect(result).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("exists but is not a folder"),
    });
  });

  it("fails when MSERVE_HOME is read-only", async () => {
    const home = await tempDir();
    await chmod(home, 0o555);
    try {
      const result = await checkStateFolder({ MSERVE_HOME: home });
      // root can write anywhere, so only a non-root run can see the failure.
      expect(result.status).toBe(process.getuid?.() === 0 ? "pass" : "fail");
    } finally {
      await chmod(home, 0o755);
    }
  });

  it("passes an existing writable folder and leaves it as it was", async () => {
    const home = await tempDir();
    const result = await checkStateFolder({ MSERVE_HOME: home });
    expect(result).toMatchObject({ status: "pass", detail: `${home} is writable` });
    expect(await readdir(home)).toEqual([]);
  });

  it("passes a creatable folder and removes what it created", async () => {
    const home = join(await tempDir(), "new", "home");
    const result = await checkStateFolder({ MSERVE_HOME: home });
    expect(result).toMatchObject({ status: "pass", detail: expect.stringContaining("creatable") });
    expect(existsSync(join(home, ".."))).toBe(false);
  });
});

describe("checkPorts", () => {
  it("warns naming a port that is taken, and passes free ones", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await checkPorts([{ port, role: "inference" }], "use other --ports");
      expect(result).toMatchObject({ status: "warn", detail: expect.stringContaining(`${port} (inference`) });
      expect(result.fix).toContain("--ports");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect((await checkPorts([{ port, role: "inference" }], "use other --ports")).status).toBe("pass");
  });
});

/** Runs the command with collected output, as cli.ts would but in-process. */
async function runDoctor(
  output: "text" | "json",
  env: NodeJS.ProcessEnv,
  target: string | null = "torchserve",
) {
  const collected = { stdout: "", stderr: "" };
  const sink = (key: keyof typeof collected) =>
    new Writable({
      write(chunk, _encoding, done) {
        collected[key] += String(chunk);
        done();
      },
    });
  const ctx = createContext(
    { output },
    { cwd: await tempDir(), env, stdout: sink("stdout"), stderr: sink("stderr") },
  );
  const error = await run({ args: [], options: { target: target ?? undefined } as never }, ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  // With -o json, cli.ts writes the one document the command left in the result slot.
  if (output === "json" && ctx.result.taken) collected.stdout += JSON.stringify(ctx.result.document);
  return { ...collected, error };
}

/** A machine where every required check passes (ports and docker may only warn). */
async function healthyEnv(overrides: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const PATH = await fakeBin({
    java: JAVA_17,
    torchserve: TORCHSERVE,
    python: probeAnswer(),
    docker: DOCKER_UP,
    ...overrides,
  });
  const home = await tempDir();
  return { PATH, HOME: home, MSERVE_HOME: join(home, ".mserve") };
}

describe("mserve doctor (command)", () => {
  const ids = ["node", "java", "torchserve", "python", "ports", "docker", "gpu", "state"];

  it("-o json prints one document { ok: true, checks } when nothing fails", async () => {
    const { stdout, error } = await runDoctor("json", await healthyEnv());
    expect(error).toBeUndefined();
    const doc = JSON.parse(stdout) as { ok: boolean; checks: CheckResult[] };
    expect(doc.ok).toBe(true);
    expect(doc.checks.map((c) => c.id)).toEqual(ids);
    expect(doc.checks.find((c) => c.id === "java")?.status).toBe("pass");
  });

  it("-o json on failure prints nothing itself and throws INVALID_INPUT carrying the checks", async () => {
    const { stdout, error } = await runDoctor("json", await healthyEnv({ java: JAVA_8 }));
    expect(stdout).toBe("");
    expect(error).toBeInstanceOf(MserveError);
    const e = error as MserveError;
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe("1 doctor check(s) failed: java");
    const details = e.toJSON().details as { ok: boolean; checks: CheckResult[] };
    expect(details.ok).toBe(false);
    expect(details.checks.map((c) => c.id)).toEqual(ids);
  });

  it("text on failure prints the table and the fixes, then throws", async () => {
    const { stdout, error } = await runDoctor(
      "text",
      await healthyEnv({ docker: DOCKER_DOWN, java: JAVA_8 }),
    );
    expect((error as MserveError).code).toBe("INVALID_INPUT");
    const [header] = stdout.split("\n");
    expect(header).toMatch(/^check\s+status\s+detail$/);
    expect(stdout).toMatch(/\nJava 17\+ \(TorchServe frontend\)\s+fail\s+\S*java is Java 8\n/);
    expect(stdout).toContain("\nfixes:\n");
    expect(stdout).toMatch(/ {2}Java 17\+ \(TorchServe frontend\): .*openjdk-17/);
    expect(stdout).toMatch(/ {2}docker \(for --runtime docker\): Start the daemon/);
    expect(stdout).not.toMatch(/ {2}Node\.js:/);
    expect(stdout).not.toContain("\x1b[");
  });

  it("colours statuses only when colour is on, keeping the columns aligned", async () => {
    const { stdout } = await runDoctor("text", { ...(await healthyEnv()), FORCE_COLOR: "1" });
    expect(stdout).toContain("\x1b[32mpass\x1b[39m");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
    const lines = stdout.replace(/\x1b\[\d+m/g, "").split("\n");
    const status = lines[0]?.indexOf("status") ?? -1;
    const detail = lines[0]?.indexOf("detail") ?? -1;
    expect(status).toBeGreaterThan(0);
    // Each status sits under "status", padded so that each detail starts under "detail".
    for (const line of lines.slice(1, 1 + ids.length)) {
      expect(line.slice(status, detail)).toMatch(/^(pass|warn|fail) +$/);
      expect(line[detail]).toMatch(/\S/);
    }
  });
});

describe("each target's prerequisites", () => {
  it("triton: a tritonserver that answers --version, else the install line", async () => {
    const none = await tritonDoctor(doctorEnv({ PATH: await tempDir() }));
    expect(none).toMatchObject([
      { id: "tritonserver", status: "fail", fix: expect.stringContaining("nvidia-pytriton") },
    ]);
    const PATH = await fakeBin({ tritonserver: `echo "tritonserver version 2.51.0"` });
    const found = await tritonDoctor(doctorEnv({ PATH }));
    expect(found).toMatchObject([{ status: "pass", detail: expect.stringMatching(/^2\.51\.0 \(/) }]);
    const broken = await tritonDoctor(
      doctorEnv({ PATH: await fakeBin({ tritonserver: "echo 'libdcgm.so: cannot open' >&2; exit 127" }) }),
    );
    expect(broken[0]).toMatchObject({ status: "warn", detail: expect.stringContaining("libdcgm.so") });
  });

  it("tfserving: tensorflow_model_server, else docker for its image, else both fixes", async () => {
    const binary = await tfservingDoctor(
      doctorEnv({
        PATH: await fakeBin({ tensorflow_model_server: `echo "TensorFlow ModelServer: 2.19.0-rc0"` }),
      }),
    );
    expect(binary).toMatchObject([{ status: "pass", detail: expect.stringContaining("2.19.0") }]);
    const docker = await tfservingDoctor(doctorEnv({ PATH: await fakeBin({ docker: DOCKER_UP }) }));
    expect(docker).toMatchObject([{ status: "pass", detail: expect.stringContaining("--runtime docker") }]);
    const neither = await tfservingDoctor(doctorEnv({ PATH: await fakeBin({ docker: DOCKER_DOWN }) }));
    expect(neither).toMatchObject([
      { status: "fail", fix: expect.stringContaining("tensorflow-model-server") },
    ]);
  });

  it("kserve: kubectl with a current context", async () => {
    const missing = await kserveDoctor(doctorEnv({ PATH: await tempDir() }));
    expect(missing).toMatchObject([
      { id: "kubectl", status: "fail", fix: expect.stringContaining("kubectl") },
    ]);
    const ready = await kserveDoctor(doctorEnv({ PATH: await fakeBin({ kubectl: "echo kind-mserve" }) }));
    expect(ready).toMatchObject([{ status: "pass", detail: expect.stringContaining("context kind-mserve") }]);
    const noContext = await kserveDoctor(
      doctorEnv({ PATH: await fakeBin({ kubectl: "echo 'error: current-context is not set' >&2; exit 1" }) }),
    );
    expect(noContext).toMatchObject([{ status: "fail", fix: expect.stringContaining("use-context") }]);
  });

  it("without --target: every target is reported, and doctor passes when one is ready", async () => {
    const { stdout, error } = await runDoctor("json", await healthyEnv(), null);
    expect(error).toBeUndefined();
    const doc = JSON.parse(stdout) as {
      targets: { target: string; ready: boolean }[];
      checks: CheckResult[];
    };
    expect(doc.targets).toEqual([
      { target: "torchserve", ready: true },
      { target: "triton", ready: false },
      { target: "tfserving", ready: true },
      { target: "kserve", ready: false },
      { target: "mlserver", ready: false },
    ]);
    expect(doc.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(["tritonserver", "tensorflow_model_server", "kubectl"]),
    );
    // An mlserver on PATH that reports its version makes MLServer ready (its runtimes cannot be told: a warning).
    const withMl = await runDoctor(
      "json",
      await healthyEnv({ mlserver: "echo 'mlserver, version 1.7.1'" }),
      "mlserver",
    );
    expect(withMl.error).toBeUndefined();
    const mlChecks = (JSON.parse(withMl.stdout) as { checks: CheckResult[] }).checks;
    expect(mlChecks.find((c) => c.id === "mlserver")).toMatchObject({
      status: "pass",
      detail: expect.stringMatching(/^1\.7\.1 /),
    });
    expect(mlChecks.find((c) => c.id === "mlserver-runtimes")?.status).toBe("warn");
    const none = await runDoctor("json", await healthyEnv({ java: JAVA_8, docker: DOCKER_DOWN }), null);
    expect((none.error as MserveError).code).toBe("INVALID_INPUT");
    expect((none.error as MserveError).hint).toMatch(/No target is ready/);
  });
});
