import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findFreePorts } from "../../src/runtime/ports.js";
import { repoRoot } from "./cli.js";

/** KServe's own Python model server (kserve on PyPI, in .venv-kserve). */
export const kservePython = join(
  process.env.MSERVE_KSERVE_VENV ?? join(repoRoot, ".venv-kserve"),
  "bin",
  "python",
);
export const kserveMissing = () =>
  existsSync(kservePython) ? undefined : `${kservePython} not found: run \`npm run setup:python\``;

export interface RunningKserve {
  url: string;
  stop(): void;
}

/** fixtures/intent/kserve_server.py on free ports, waited for until /v2/health/ready answers. */
export async function startKserve(extraArgs: string[] = []): Promise<RunningKserve> {
  const [http, grpc] = (await findFreePorts(2)) as number[];
  const url = `http://127.0.0.1:${http}`;
  const server: ChildProcess = spawn(
    kservePython,
    [
      join(repoRoot, "fixtures", "intent", "kserve_server.py"),
      `--http_port=${http}`,
      `--grpc_port=${grpc}`,
      ...extraArgs,
    ],
    { detached: true, stdio: "ignore" },
  );
  const stop = () => {
    try {
      if (server.pid) process.kill(-server.pid, "SIGKILL");
    } catch {}
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${url}/v2/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error("the KServe model server did not become ready");
}
