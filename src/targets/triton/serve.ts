import { mkdir, rm, symlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { V2Client } from "../../protocols/v2/client.js";
import { describeChoice, type GpuSelection } from "../../runtime/gpus.js";
import { serverWorkDir, validateServerName } from "../../runtime/home.js";
import { chooseNamedPorts } from "../../runtime/ports.js";
import { startRecorded } from "../../runtime/start-recorded.js";
import type { ServerRecord } from "../../runtime/types.js";
import { locateTriton, requireTriton } from "./locate.js";
import { DEFAULT_TRITON_PORTS, dockerTritonPlan, localTritonPlan, type TritonLaunchPlan } from "./runtime.js";

export interface TritonServeOptions {
  name: string;
  runtime: "local" | "docker";
  repository?: string;
  /** "8000,8001,8002" (http, grpc, metrics) or "auto". */
  ports?: string;
  image?: string;
  gpus?: GpuSelection;
}

export async function planTritonServe(
  options: TritonServeOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  { dryRun = false } = {},
): Promise<TritonLaunchPlan> {
  validateServerName(options.name);
  const workDir = serverWorkDir(env, options.name);
  const repository = options.repository ? resolve(cwd, options.repository) : `${workDir}/model-repository`;
  const inputs = {
    name: options.name,
    repository,
    workDir,
    ports: await chooseNamedPorts(options.ports, DEFAULT_TRITON_PORTS, "Triton"),
    gpus: options.gpus?.choice,
  };
  if (options.runtime === "docker") return dockerTritonPlan(inputs, options.image);
  const install = dryRun ? (locateTriton(env, cwd) ?? { bin: "tritonserver" }) : requireTriton(env, cwd);
  return localTritonPlan(inputs, install, env.PATH);
}

/** Starts Triton, records it, waits for /v2/health/live; on failure nothing is left running or recorded. */
export async function startTritonServe(
  plan: TritonLaunchPlan,
  options: TritonServeOptions & {
    wait: boolean;
    timeoutMs: number;
    signal: AbortSignal;
    onDebug?: (line: string) => void;
  },
  env: NodeJS.ProcessEnv,
): Promise<{ record: ServerRecord; readyMs?: number }> {
  for (const folder of plan.folders) await mkdir(folder, { recursive: true });
  for (const link of plan.links) {
    await mkdir(dirname(link.path), { recursive: true });
    await rm(link.path, { force: true });
    await symlink(link.target, link.path);
  }
  const client = new V2Client(plan.urls.http, {
    server: "Triton",
    timeoutMs: 2_000,
    signal: options.signal,
    onDebug: options.onDebug,
  });
  try {
    return await startRecorded(
      {
        record: {
          name: options.name,
          target: "triton",
          runtime: plan.runtime,
          urls: plan.urls,
          ports: { ...plan.ports },
          workDir: plan.cwd,
          logFile: plan.logFile,
          configFile: "",
          modelStore: plan.repository,
          tokenAuth: false,
          ...(options.gpus ? { gpus: describeChoice(options.gpus.choice) } : {}),
          command: [plan.file, ...plan.args],
        },
        runtime: plan.runtime,
        file: plan.file,
        args: plan.args,
        cwd: plan.cwd,
        env: { ...env, ...plan.env },
        logFile: plan.logFile,
        ports: { ...plan.ports },
        probe: () => client.live(),
        what: `Triton ${options.name} to answer /v2/health/live`,
        label: "tritonserver",
      },
      { env, wait: options.wait, timeoutMs: options.timeoutMs, signal: options.signal },
    );
  } finally {
    await client.close();
  }
}
