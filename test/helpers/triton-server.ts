import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findFreePorts } from "../../src/runtime/ports.js";
import type { TritonInstall } from "../../src/targets/triton/locate.js";
import { localTritonPlan } from "../../src/targets/triton/runtime.js";
import { SYS_PATH } from "./triton-cases.js";

/**
 * A raw tritonserver for the differential tests: explicit model control, one
 * shared repository, and a Python-based backend named "identity" installed in
 * its backend folder (core backend_model.cc GetBackendLibraryProperties: a
 * backend folder holding model.py instead of libtriton_<name>.so), so models
 * with `backend: "identity"` load with no model file, as the identity, repeat
 * and square test backends and vLLM do.
 */

/** model.py of the "identity" backend: its auto-complete adds INPUT0/OUTPUT0 when the config has none. */
export const IDENTITY_BACKEND = `${SYS_PATH}class TritonPythonModel:
    @staticmethod
    def auto_complete_config(config):
        current = config.as_dict()
        if not current["input"]:
            config.add_input({"name": "INPUT0", "data_type": "TYPE_FP32", "dims": [-1]})
        if not current["output"]:
            config.add_output({"name": "OUTPUT0", "data_type": "TYPE_FP32", "dims": [-1]})
        return config

    def execute(self, requests):
        return []
`;

export const PYTHON_BASED_BACKENDS = ["identity", "repeat", "vllm", "tensorrtllm"];

export interface LoadOutcome {
  ok: boolean;
  status: number;
  /**
   * The load never answers: Triton 2.51's Python backend waits forever for a
   * stub that died before its first message (python_backend stub_launcher.cc
   * Launch: parent_message_queue_->Pop() has no timeout), e.g. when model.py is
   * missing. The server must be restarted.
   */
  hung?: boolean;
  /**
   * The server died during the load (tritonserver 2.51 sometimes segfaults
   * right after a Python model unloads). The load's connection then never
   * closes: the orphaned Python stubs inherited its socket.
   */
  crashed?: boolean;
  /** The reason Triton gives: the HTTP error, or for "failed to poll" the line from its log. */
  message: string;
}

interface StartOptions {
  repository: string;
  workDir: string;
  strict: boolean;
  /** How many times this server was restarted (names its fresh work folder). */
  generation?: number;
}

export class TritonUnderTest {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly logFile: string,
    private readonly install: TritonInstall,
    private readonly options: StartOptions,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  private readonly exited: Promise<void>;

  /** A fresh server on the same repository (the old one is killed). */
  async restart(): Promise<TritonUnderTest> {
    await this.stop(0);
    const generation = (this.options.generation ?? 0) + 1;
    return TritonUnderTest.start(this.install, {
      ...this.options,
      generation,
      workDir: `${this.options.workDir.replace(/-\d+$/, "")}-${generation}`,
    });
  }

  static async start(install: TritonInstall, options: StartOptions): Promise<TritonUnderTest> {
    const [http, grpc, metrics] = await findFreePorts(3);
    const plan = localTritonPlan(
      {
        name: options.strict ? "strict" : "default",
        repository: options.repository,
        workDir: options.workDir,
        ports: { http: http as number, grpc: grpc as number, metrics: metrics as number },
      },
      install,
    );
    for (const folder of plan.folders) await mkdir(folder, { recursive: true });
    // Copied, not linked: for a Python-based backend core refuses a libtriton_python.so whose real
    // path "escapes backend directory" (backend_model.cc). mserve serve links them (see report).
    for (const link of plan.links) {
      await mkdir(join(link.path, ".."), { recursive: true });
      await copyFile(link.target, link.path);
      await chmod(link.path, 0o755);
    }
    // Python-based backends standing in for the ones that read no model file of mserve's naming:
    // the identity/repeat test backends, vLLM (1/model.json), TensorRT-LLM (engines named in parameters).
    for (const name of PYTHON_BASED_BACKENDS) {
      const folder = join(options.workDir, "backends", name);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, "model.py"), IDENTITY_BACKEND);
    }
    const args = [...plan.args, "--model-load-thread-count=4"];
    if (options.strict) args.push("--disable-auto-complete-config");
    const log = openSync(plan.logFile, "w");
    const child = spawn(plan.file, args, {
      // The test's own PATH, not the venv's first as `mserve serve` sets it: the cases' model.py
      // files need only the standard library, and the system Python's stub behaves as recorded.
      env: { ...process.env, ...plan.env, PATH: process.env.PATH ?? "" },
      stdio: ["ignore", log, log],
      detached: true,
    });
    const server = new TritonUnderTest(child, plan.urls.http, plan.logFile, install, options);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`tritonserver exited (${child.exitCode}): ${await readFile(plan.logFile, "utf8")}`);
      const live = await fetch(`${plan.urls.http}/v2/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (live) return server;
      if (Date.now() > deadline) throw new Error("tritonserver did not come up in 60 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Loads `model`; `related` are the folders a hung Python stub may name (the model and its steps). */
  async load(model: string, related: string[] = [model]): Promise<LoadOutcome> {
    const abort = new AbortController();
    const from = (await readFile(this.logFile)).length;
    let settled = false;
    // A stub that dies before its first message leaves the load waiting forever: spot it in the log.
    const watch = async (): Promise<LoadOutcome | undefined> => {
      while (!settled) {
        await new Promise((r) => setTimeout(r, 250));
        const added = (await readFile(this.logFile)).subarray(from).toString("utf8");
        const found = /Failed to preinitialize Python stub: (.*)/.exec(added);
        if (found && !settled && related.some((m) => found[1]?.includes(`/${m}/`))) {
          abort.abort();
          return { ok: false, status: 0, message: found[1] as string, hung: true };
        }
      }
      return undefined;
    };
    const request = fetch(`${this.url}/v2/repository/models/${encodeURIComponent(model)}/load`, {
      method: "POST",
      body: "{}",
      signal: abort.signal,
    });
    let failure: unknown;
    const died = this.exited.then((): LoadOutcome => {
      abort.abort();
      return { ok: false, status: 0, message: "tritonserver died during the load", crashed: true };
    });
    const first = await Promise.race([
      request.catch((error) => {
        failure = error;
        return undefined;
      }),
      watch(),
      died,
    ]);
    if (!(first instanceof Response)) {
      settled = true;
      if (first) return first;
      const cause = (failure as { cause?: unknown })?.cause ?? failure;
      throw new Error(`load of ${model} failed without an answer: ${String(cause)}`);
    }
    settled = true;
    const response = first;
    const text = await response.text();
    if (response.ok) return { ok: true, status: response.status, message: "" };
    let message = text;
    try {
      message = (JSON.parse(text) as { error: string }).error;
    } catch {}
    // Config errors come back as "failed to poll from model repository"; the reason is only in the log.
    if (/failed to poll from model repository/.test(message)) {
      const log = await readFile(this.logFile, "utf8");
      const lines = log.split("\n").filter((l) => l.includes(`Poll failed for model directory '${model}'`));
      const last = lines.at(-1);
      if (last) message = last.replace(/^.*Poll failed for model directory '[^']*': /, "").replace(/"$/, "");
    }
    return { ok: false, status: response.status, message: message.replace(/\\n/g, "\n") };
  }

  async unload(model: string): Promise<void> {
    await fetch(`${this.url}/v2/repository/models/${encodeURIComponent(model)}/unload`, {
      method: "POST",
      body: JSON.stringify({ parameters: { unload_dependents: true } }),
    }).catch(() => undefined);
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.pid === undefined) return;
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (this.child.pid) process.kill(-this.child.pid, signal);
      } catch {}
    };
    // A crashed server leaves its Python stubs behind in its process group.
    if (this.child.exitCode !== null || this.child.signalCode !== null) return kill("SIGKILL");
    const exited = this.exited;
    kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
    const timer = setTimeout(() => kill("SIGKILL"), graceMs);
    await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs + 5_000))]);
    clearTimeout(timer);
  }
}
