import { mkdir, writeFile } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { MserveError } from "../../errors.js";
import { createHttpClient } from "../../http/index.js";
import { describeChoice, type GpuSelection } from "../../runtime/gpus.js";
import { serverWorkDir, validateServerName } from "../../runtime/home.js";
import { isExecutable } from "../../runtime/locate.js";
import { findFreePorts } from "../../runtime/ports.js";
import { startRecorded } from "../../runtime/start-recorded.js";
import type { ServerRecord } from "../../runtime/types.js";
import { dockerTfServingPlan, localTfServingPlan, type TfServingLaunchPlan } from "./runtime.js";

export interface TfServingServeOptions {
  name: string;
  runtime: "local" | "docker";
  base?: string;
  /** "8501,8500" (REST, gRPC) or "auto". */
  ports?: string;
  image?: string;
  pollSeconds: number;
  gpus?: GpuSelection;
}

/** MSERVE_TFSERVING_BIN, else tensorflow_model_server on PATH (TF Serving ships no pip package with the binary). */
export function locateTfServing(env: NodeJS.ProcessEnv): string | undefined {
  if (env.MSERVE_TFSERVING_BIN) return resolve(env.MSERVE_TFSERVING_BIN);
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, "tensorflow_model_server")))
      return join(dir, "tensorflow_model_server");
  }
  return undefined;
}

export async function planTfServingServe(
  options: TfServingServeOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  { dryRun = false } = {},
): Promise<TfServingLaunchPlan> {
  validateServerName(options.name);
  const workDir = serverWorkDir(env, options.name);
  const base = options.base ? resolve(cwd, options.base) : join(workDir, "models");
  let ports = { rest: 8501, grpc: 8500 };
  if (options.ports === "auto") {
    const [rest, grpc] = (await findFreePorts(2)) as number[];
    ports = { rest: rest ?? 8501, grpc: grpc ?? 8500 };
  } else if (options.ports) {
    const [rest, grpc] = options.ports.split(",").map((p) => Number(p.trim()));
    if (!Number.isInteger(rest) || !Number.isInteger(grpc))
      throw new MserveError("USAGE", `invalid --ports "${options.ports}" for TF Serving`, {
        hint: "Give rest,grpc ports (e.g. 8501,8500) or auto.",
      });
    ports = { rest: rest as number, grpc: grpc as number };
  }
  const inputs = {
    name: options.name,
    base,
    workDir,
    ports,
    pollSeconds: options.pollSeconds,
    gpus: options.gpus?.choice,
  };
  if (options.runtime === "docker") return dockerTfServingPlan(inputs, options.image);
  const bin = locateTfServing(env) ?? (dryRun ? "tensorflow_model_server" : undefined);
  if (!bin) {
    throw new MserveError("NOT_FOUND", "tensorflow_model_server not found", {
      hint: "TF Serving has no pip package with the server: use --runtime docker (image tensorflow/serving), or put tensorflow_model_server on PATH / set MSERVE_TFSERVING_BIN.",
    });
  }
  return localTfServingPlan(inputs, bin);
}

/** Starts TF Serving on a base folder with an (initially empty) models.config and waits until its REST port answers. */
export async function startTfServingServe(
  plan: TfServingLaunchPlan,
  options: TfServingServeOptions & { wait: boolean; timeoutMs: number; signal: AbortSignal },
  env: NodeJS.ProcessEnv,
): Promise<{ record: ServerRecord; readyMs?: number }> {
  await mkdir(join(plan.cwd, "logs"), { recursive: true });
  await mkdir(plan.base, { recursive: true });
  const configFile = join(plan.base, "models.config");
  // TF Serving refuses to start without the file; an empty list serves nothing until deploy adds models.
  await writeFile(configFile, "model_config_list {\n}\n", { flag: "wx" }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    },
  );
  const http = createHttpClient({ timeoutMs: 2_000 });
  try {
    return await startRecorded(
      {
        record: {
          name: options.name,
          target: "tfserving",
          runtime: plan.runtime,
          urls: plan.urls,
          ports: { ...plan.ports },
          workDir: plan.cwd,
          logFile: plan.logFile,
          configFile,
          modelStore: plan.base,
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
        // TF Serving has no health route; any answer from the REST port (a 404 for an unknown model) means it is up.
        probe: () =>
          http
            .request({
              method: "GET",
              url: `${plan.urls.rest}/v1/models/mserve-probe`,
              signal: options.signal,
              what: "TF Serving",
            })
            .then(() => true),
        what: `TF Serving ${options.name} to answer on ${plan.urls.rest}`,
        label: "TF Serving",
      },
      { env, wait: options.wait, timeoutMs: options.timeoutMs, signal: options.signal },
    );
  } finally {
    await http.close();
  }
}
