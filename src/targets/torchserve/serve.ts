import { mkdir, rm, writeFile } from "node:fs/promises";
import { delimiter, dirname, resolve } from "node:path";
import { MserveError } from "../../errors.js";
import { dockerRun, dockerRunning } from "../../runtime/docker.js";
import { describeChoice, type GpuSelection, visibleGpuCount } from "../../runtime/gpus.js";
import { serverWorkDir, validateServerName } from "../../runtime/home.js";
import { readLogTail } from "../../runtime/logs.js";
import { checkPortsFree, findFreePorts } from "../../runtime/ports.js";
import { readRecord, recordState, removeRecord, writeRecord } from "../../runtime/records.js";
import { stopRecorded } from "../../runtime/servers.js";
import { isGroupAlive, startDetached } from "../../runtime/supervisor.js";
import type { ServerRecord } from "../../runtime/types.js";
import { waitUntil } from "../../runtime/wait.js";
import { clientFor } from "./client-for.js";
import { locateJava, locateTorchServe, requireTorchServe } from "./locate.js";
import {
  DEFAULT_PORTS,
  dockerLaunchPlan,
  type LaunchPlan,
  localLaunchPlan,
  parsePorts,
  type TorchServePorts,
} from "./runtime.js";

export interface ServeOptions {
  name: string;
  runtime: "local" | "docker";
  modelStore?: string;
  /** "8080,8081,8082[,7070,7071]" or "auto" (free ports, for CI and tests). */
  ports?: string;
  tokenAuth: boolean;
  image?: string;
  gpus: GpuSelection;
}

export interface ServeEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
}

async function choosePorts(text: string | undefined): Promise<TorchServePorts> {
  if (text !== "auto") return parsePorts(text);
  const [inference, management, metrics, grpcInference, grpcManagement] = (await findFreePorts(
    5,
  )) as number[];
  return {
    inference: inference ?? DEFAULT_PORTS.inference,
    management: management ?? DEFAULT_PORTS.management,
    metrics: metrics ?? DEFAULT_PORTS.metrics,
    grpcInference: grpcInference ?? DEFAULT_PORTS.grpcInference,
    grpcManagement: grpcManagement ?? DEFAULT_PORTS.grpcManagement,
  };
}

/** What `serve` would do; `--dry-run` prints it and the launcher consumes the same object. */
export async function planServe(
  options: ServeOptions,
  { env, cwd }: Pick<ServeEnv, "env" | "cwd">,
  { dryRun = false } = {},
): Promise<LaunchPlan> {
  validateServerName(options.name);
  const workDir = serverWorkDir(env, options.name);
  const modelStore = options.modelStore ? resolve(cwd, options.modelStore) : `${workDir}/model-store`;
  const ports = await choosePorts(options.ports);
  const inputs = {
    name: options.name,
    ports,
    modelStore,
    workDir,
    tokenAuth: options.tokenAuth,
    gpus: options.gpus.choice,
    gpuCount: visibleGpuCount(options.gpus),
  };
  if (options.runtime === "docker") {
    const user =
      typeof process.getuid === "function" ? `${process.getuid()}:${process.getgid?.()}` : undefined;
    return dockerLaunchPlan(inputs, { image: options.image, user });
  }
  // A dry run shows the plan even on a machine without TorchServe (e.g. to copy it elsewhere).
  const torchserve = dryRun
    ? (locateTorchServe(env, cwd) ?? { path: "torchserve" })
    : requireTorchServe(env, cwd);
  return localLaunchPlan(inputs, torchserve.path, dirname(torchserve.path));
}

/** Ports as `checkPortsFree` wants them; docker publishes only the HTTP ones. */
function portList(plan: LaunchPlan) {
  return Object.entries(plan.ports)
    .filter(([role]) => plan.runtime === "local" || !role.startsWith("grpc"))
    .map(([role, port]) => ({ role, port }));
}

/** A record left by a server that is gone is removed; a live one is a conflict. */
async function refuseRunning(env: NodeJS.ProcessEnv, name: string): Promise<string | undefined> {
  const existing = await readRecord(env, name).catch(() => undefined);
  if (!existing) return undefined;
  if ((await recordState(existing)) === "running") {
    throw new MserveError("CONFLICT", `a server named ${name} is already running`, {
      hint: `Stop it with \`mserve stop ${name}\`, or start another one with --name.`,
    });
  }
  await removeRecord(env, name);
  return `removed the stale record of ${name} (its process is gone)`;
}

const BIND_FAILURE = /Address already in use|BindException|port .* in use/i;

/** Why a server that exited during start-up failed, from the end of its log. */
async function startupFailure(plan: LaunchPlan): Promise<MserveError> {
  const tail = await readLogTail(plan.logFile, 40).catch(() => "");
  if (BIND_FAILURE.test(tail)) {
    return new MserveError("CONFLICT", "TorchServe could not bind its ports (address already in use)", {
      hint: "Another process took a port after mserve checked it. Choose other ports with --ports or stop the other server.",
      details: { log: tail.split("\n").slice(-15) },
    });
  }
  if (/java not found/i.test(tail)) {
    return new MserveError("NOT_FOUND", "TorchServe could not find Java", {
      hint: "Install Java 17 and set JAVA_HOME (`mserve doctor` checks it).",
    });
  }
  return new MserveError("SERVER_ERROR", "TorchServe exited during start-up", {
    hint: `See the log: ${plan.logFile}`,
    details: { log: tail.split("\n").slice(-15) },
  });
}

export interface StartResult {
  record: ServerRecord;
  notes: string[];
  readyMs?: number;
}

/**
 * Starts the server, records it, and (unless `wait` is false) waits until /ping
 * answers Healthy. A server that fails or times out during start-up is stopped
 * and its record removed, so nothing stray is left behind.
 */
export async function startServe(
  plan: LaunchPlan,
  options: ServeOptions & { wait: boolean; timeoutMs: number; onDebug?: (line: string) => void },
  serveEnv: ServeEnv,
): Promise<StartResult> {
  const { env, signal } = serveEnv;
  const notes: string[] = [];
  const stale = await refuseRunning(env, options.name);
  if (stale) notes.push(stale);
  await checkPortsFree(portList(plan));
  if (plan.runtime === "local" && !locateJava(env)) {
    throw new MserveError("NOT_FOUND", "java not found (TorchServe 0.12 needs Java 17)", {
      hint: "Install OpenJDK 17 and put it on PATH or set JAVA_HOME; or use --runtime docker.",
    });
  }
  for (const folder of plan.folders) await mkdir(folder, { recursive: true });
  for (const file of plan.files) await writeFile(file.path, file.content);
  // An old key file would hand out keys the new server does not know.
  if (plan.keyFile) await rm(plan.keyFile, { force: true });

  const started = Date.now();
  const base: Omit<ServerRecord, "pid" | "containerId"> = {
    name: options.name,
    target: "torchserve",
    runtime: plan.runtime,
    urls: plan.urls,
    ports: { ...plan.ports },
    workDir: plan.cwd,
    logFile: plan.logFile,
    configFile: plan.configFile,
    modelStore: plan.modelStore,
    tokenAuth: options.tokenAuth,
    ...(plan.keyFile ? { keyFile: plan.keyFile } : {}),
    gpus: describeChoice(options.gpus.choice),
    command: [plan.file, ...plan.args],
    startedAt: new Date(started).toISOString(),
  };
  let record: ServerRecord;
  if (plan.runtime === "local") {
    const path = `${plan.pathPrepend ?? ""}${delimiter}${env.PATH ?? ""}`;
    const { pid } = await startDetached({
      file: plan.file,
      args: plan.args,
      cwd: plan.cwd,
      env: { ...env, ...plan.env, PATH: path },
      logFile: plan.logFile,
    });
    record = { ...base, pid };
  } else {
    record = { ...base, containerId: await dockerRun(plan.args, env) };
  }
  await writeRecord(env, record);
  if (!options.wait) return { record, notes };

  const { client, http } = clientFor(record, { timeoutMs: 2_000, signal, onDebug: options.onDebug });
  try {
    await waitUntil(
      async () => {
        const alive =
          record.runtime === "local"
            ? isGroupAlive(record.pid as number)
            : await dockerRunning(record.containerId ?? "");
        if (!alive) throw await startupFailure(plan);
        const ping = await client.ping().catch((error: unknown) => {
          // Not listening yet, or the key file is not written yet: keep waiting.
          if (error instanceof MserveError && ["UNREACHABLE", "TIMEOUT", "AUTH"].includes(error.code))
            return undefined;
          throw error;
        });
        return ping?.healthy ? true : undefined;
      },
      {
        timeoutMs: options.timeoutMs,
        // Local requests cost a millisecond; a short interval is what makes `serve` return as soon as it can.
        intervalMs: 100,
        signal,
        what: `TorchServe ${options.name} to answer /ping`,
        hint: `Its log is ${plan.logFile} (\`mserve logs ${options.name}\`). Raise --timeout on slow machines.`,
      },
    );
  } catch (error) {
    await stopRecorded(record, 10_000).catch(() => {});
    await removeRecord(env, options.name).catch(() => {});
    throw error;
  } finally {
    await http.close();
  }
  return { record, notes, readyMs: Date.now() - started };
}
