import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { isExecutable } from "../../src/runtime/locate.js";
import { findFreePorts } from "../../src/runtime/ports.js";
import { locateJava } from "../../src/targets/torchserve/locate.js";
import { realToolsRequired, venvBin } from "./python.js";

export interface RunningTorchServe {
  inferenceUrl: string;
  managementUrl: string;
  metricsUrl: string;
  modelStore: string;
  /** LOG_LOCATION of this server: ts_log.log, model_log.log and console.log (its stdout/stderr). */
  logDir: string;
  /** POST /models with the query params TorchServe expects (not a JSON body). */
  register(
    url: string,
    params?: Record<string, string | number | boolean>,
  ): Promise<{ status: number; body: string }>;
  predict(
    model: string,
    body: string | Buffer,
    version?: string,
  ): Promise<{ status: number; text: string; json: unknown }>;
  /** The last lines of the server's console output, for assertion messages. */
  logTail(lines?: number): Promise<string>;
  /** Kills the whole process tree (JVM and Python workers) and waits for it; safe to call twice. */
  stop(): Promise<void>;
}

/** CI sets MSERVE_REQUIRE_REAL_SERVERS=1: a missing TorchServe or Java must then fail, not skip. */
export const requireRealServers = realToolsRequired;

export function torchserveBin(): string {
  return process.env.MSERVE_TORCHSERVE_BIN ?? venvBin("torchserve");
}

/** Whether a real TorchServe can start here; `reason` says what is missing when it cannot. */
export function torchserveAvailable(): { ok: true; bin: string } | { ok: false; reason: string } {
  const bin = torchserveBin();
  if (!isExecutable(bin)) {
    return { ok: false, reason: `${bin} not found or not executable: run \`npm run setup:python\`` };
  }
  if (!locateJava(process.env)) return { ok: false, reason: "java not found (TorchServe needs Java 17)" };
  return { ok: true, bin };
}

/** Why a real TorchServe cannot start here, or undefined when it can. */
export function torchserveMissing(): string | undefined {
  const availability = torchserveAvailable();
  return availability.ok ? undefined : availability.reason;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True while any process of the group is alive (signal 0 only checks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Starts TorchServe 0.12 as a local process for tests: free loopback ports for
 * every listener (gRPC too: 0.12 has no switch to turn gRPC off, and two servers on
 * the default 7070/7071 would clash), token auth off, model API on, no config
 * snapshots, and its own temp dir (TorchServe allows one instance per temp dir
 * because of its PID file, and extracts archives there).
 *
 * `workDir` is used as given and kept; without it a temp dir is made and removed by stop().
 */
export async function startTorchServe(options: {
  modelStore: string;
  workDir?: string;
  readyTimeoutMs?: number;
  /** TorchServe's own default is off (405 on register/unregister); tests usually want it on. */
  modelApi?: boolean;
}): Promise<RunningTorchServe> {
  const modelApi = options.modelApi ?? true;
  const availability = torchserveAvailable();
  if (!availability.ok) throw new Error(availability.reason);
  const ownsWorkDir = options.workDir === undefined;
  const work = options.workDir ?? (await mkdtemp(join(tmpdir(), "mserve-ts-")));
  const temp = join(work, "tmp");
  const logDir = join(work, "logs");
  await mkdir(temp, { recursive: true });
  await mkdir(logDir, { recursive: true });
  const [inference, management, metrics, grpcInference, grpcManagement] = await findFreePorts(5);
  const config = join(work, "config.properties");
  await writeFile(
    config,
    [
      `inference_address=http://127.0.0.1:${inference}`,
      `management_address=http://127.0.0.1:${management}`,
      `metrics_address=http://127.0.0.1:${metrics}`,
      // gRPC binds 127.0.0.1 by default; only the ports need to be unique.
      `grpc_inference_port=${grpcInference}`,
      `grpc_management_port=${grpcManagement}`,
      `model_store=${options.modelStore}`,
      // The default (0) means one worker per CPU core for every startup model.
      "default_workers_per_model=1",
      "disable_token_authorization=true",
      `enable_model_api=${modelApi}`,
      "default_response_timeout=120",
      "",
    ].join("\n"),
  );
  const consoleLog = join(logDir, "console.log");
  const out = openSync(consoleLog, "a");
  const bin = availability.bin;
  let child: ChildProcess;
  try {
    child = spawn(
      bin,
      [
        "--start",
        "--foreground",
        "--ncs",
        "--disable-token-auth",
        ...(modelApi ? ["--enable-model-api"] : []),
        "--model-store",
        options.modelStore,
        "--ts-config",
        config,
      ],
      {
        cwd: work,
        // Its own process group: stop() signals the group, which reaches the JVM and its Python workers.
        detached: true,
        stdio: ["ignore", out, out],
        env: {
          ...process.env,
          // Workers run the `python` found first on PATH: make it the venv's, which has torch.
          PATH: `${dirname(bin)}${delimiter}${process.env.PATH ?? ""}`,
          TEMP: temp,
          TMPDIR: temp,
          LOG_LOCATION: logDir,
          METRICS_LOCATION: logDir,
        },
      },
    );
  } finally {
    closeSync(out);
  }
  const pgid = child.pid as number;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });

  const logTail = async (lines = 60) => {
    const text = await readFile(consoleLog, "utf8").catch(() => "");
    return text.split("\n").slice(-lines).join("\n");
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      signalGroup(pgid, "SIGTERM");
      // SIGTERM lets the JVM shut its workers down; a wedged one gets SIGKILL. The bound on the
      // second wait matters where nothing reaps orphans: zombies still answer signal 0.
      if (!(await waitFor(() => exited && !groupAlive(pgid), 15_000))) {
        signalGroup(pgid, "SIGKILL");
        await waitFor(() => exited && !groupAlive(pgid), 5_000);
      }
      if (ownsWorkDir) await rm(work, { recursive: true, force: true });
    })();
    return stopping;
  };

  const inferenceUrl = `http://127.0.0.1:${inference}`;
  const managementUrl = `http://127.0.0.1:${management}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (exited) {
      const tail = await logTail();
      await stop();
      throw new Error(`TorchServe exited during start-up:\n${tail}`);
    }
    const healthy = await fetch(`${inferenceUrl}/ping`)
      .then(async (r) => r.ok && ((await r.json()) as { status?: string }).status === "Healthy")
      .catch(() => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      const tail = await logTail();
      await stop();
      throw new Error(`TorchServe did not answer /ping with Healthy in time:\n${tail}`);
    }
    await sleep(500);
  }

  return {
    inferenceUrl,
    managementUrl,
    metricsUrl: `http://127.0.0.1:${metrics}`,
    modelStore: options.modelStore,
    logDir,
    logTail,
    stop,
    async register(url, params = {}) {
      const query = new URLSearchParams({
        url,
        initial_workers: "1",
        synchronous: "true",
        ...Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)])),
      });
      const response = await fetch(`${managementUrl}/models?${query}`, { method: "POST" });
      return { status: response.status, body: await response.text() };
    },
    async predict(model, body, version) {
      const response = await fetch(`${inferenceUrl}/predictions/${model}${version ? `/${version}` : ""}`, {
        method: "POST",
        body,
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, text, json };
    },
  };
}
