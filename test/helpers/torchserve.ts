import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { venvBin } from "./python.js";

export interface RunningTorchServe {
  inferenceUrl: string;
  managementUrl: string;
  metricsUrl: string;
  modelStore: string;
  register(
    url: string,
    params?: Record<string, string | number | boolean>,
  ): Promise<{ status: number; body: string }>;
  predict(
    model: string,
    body: string | Buffer,
    version?: string,
  ): Promise<{ status: number; text: string; json: unknown }>;
  logTail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

export function torchserveBin(): string {
  return process.env.MSERVE_TORCHSERVE_BIN ?? venvBin("torchserve");
}

/** Why a real TorchServe cannot start here, or undefined when it can. */
export function torchserveMissing(): string | undefined {
  if (!existsSync(torchserveBin())) return `${torchserveBin()} not found: run \`npm run setup:python\``;
  const onPath = (process.env.PATH ?? "").split(delimiter).some((d) => existsSync(join(d, "java")));
  if (!onPath && !process.env.JAVA_HOME) return "java not found (TorchServe needs Java 17)";
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts TorchServe 0.12 as a local process for tests: free loopback ports
 * (gRPC too, so parallel servers never clash), token auth off, model API on,
 * no config snapshots, and its own temp dir (TorchServe allows one instance per
 * temp dir because of its PID file, and extracts archives there).
 */
export async function startTorchServe(options: {
  modelStore: string;
  readyTimeoutMs?: number;
}): Promise<RunningTorchServe> {
  const work = await mkdtemp(join(tmpdir(), "mserve-ts-"));
  const temp = join(work, "tmp");
  const logs = join(work, "logs");
  await mkdir(temp);
  await mkdir(logs);
  const [inference, management, metrics, grpcInference, grpcManagement] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => freePort()),
  );
  const config = join(work, "config.properties");
  await writeFile(
    config,
    [
      `inference_address=http://127.0.0.1:${inference}`,
      `management_address=http://127.0.0.1:${management}`,
      `metrics_address=http://127.0.0.1:${metrics}`,
      `grpc_inference_port=${grpcInference}`,
      `grpc_management_port=${grpcManagement}`,
      `model_store=${options.modelStore}`,
      "default_workers_per_model=1",
      "disable_token_authorization=true",
      "enable_model_api=true",
      "default_response_timeout=120",
      "",
    ].join("\n"),
  );
  const logFile = join(logs, "console.log");
  const out = openSync(logFile, "a");
  const bin = torchserveBin();
  const child: ChildProcess = spawn(
    bin,
    [
      "--start",
      "--foreground",
      "--ncs",
      "--disable-token-auth",
      "--enable-model-api",
      "--model-store",
      options.modelStore,
      "--ts-config",
      config,
    ],
    {
      cwd: work,
      detached: true, // own process group: stop() reaches the JVM and its Python workers
      stdio: ["ignore", out, out],
      env: {
        ...process.env,
        PATH: `${dirname(bin)}${delimiter}${process.env.PATH ?? ""}`,
        TEMP: temp,
        TMPDIR: temp,
        LOG_LOCATION: logs,
        METRICS_LOCATION: logs,
      },
    },
  );
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });

  const logTail = async (lines = 60) => {
    const text = await readFile(logFile, "utf8").catch(() => "");
    return text.split("\n").slice(-lines).join("\n");
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const group = -(child.pid as number);
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(group, s);
      } catch {
        // already gone
      }
    };
    signal("SIGTERM");
    for (let i = 0; i < 100 && !exited; i++) await sleep(100);
    signal("SIGKILL");
    await rm(work, { recursive: true, force: true });
  };

  const inferenceUrl = `http://127.0.0.1:${inference}`;
  const managementUrl = `http://127.0.0.1:${management}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
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
      throw new Error(`TorchServe did not become healthy in time:\n${tail}`);
    }
    await sleep(500);
  }

  return {
    inferenceUrl,
    managementUrl,
    metricsUrl: `http://127.0.0.1:${metrics}`,
    modelStore: options.modelStore,
    logTail,
    stop,
    async register(url, params = {}) {
      const query = new URLSearchParams({
        url,
        initial_workers: "1",
        synchronous: "true",
        ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
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
