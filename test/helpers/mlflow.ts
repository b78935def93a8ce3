import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { findFreePorts } from "../../src/runtime/ports.js";
import { repoRoot } from "./cli.js";

export const mlflowBin = () =>
  join(process.env.MSERVE_MLFLOW_VENV ?? join(repoRoot, ".venv-mlflow"), "bin", "mlflow");

export function mlflowMissing(): string | undefined {
  return existsSync(mlflowBin()) ? undefined : `${mlflowBin()} not found: run \`npm run setup:python\``;
}

export interface RunningMlflow {
  url: string;
  artifacts: string;
  stop(): Promise<void>;
}

/**
 * A real MLflow tracking server: sqlite backend store, artifacts proxied to a
 * local folder (what `mlflow server` does by default), one worker.
 */
export async function startMlflow(dir: string): Promise<RunningMlflow> {
  await mkdir(dir, { recursive: true });
  const [port] = await findFreePorts(1);
  const artifacts = join(dir, "artifacts");
  const log = openSync(join(dir, "mlflow.log"), "a");
  const child: ChildProcess = spawn(
    mlflowBin(),
    [
      "server",
      "--backend-store-uri",
      `sqlite:///${join(dir, "mlflow.db")}`,
      "--artifacts-destination",
      artifacts,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
    ],
    { detached: true, stdio: ["ignore", log, log], env: { ...process.env, MLFLOW_HOME: dir } },
  );
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        process.kill(-child.pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const healthy = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { url, artifacts, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  const text = await readFile(join(dir, "mlflow.log"), "utf8").catch(() => "");
  throw new Error(`mlflow server did not become healthy at ${url}:\n${text.slice(-3000)}`);
}
