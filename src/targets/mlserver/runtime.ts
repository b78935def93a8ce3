import { join } from "node:path";
import { cudaVisibleDevices, dockerGpuArgs, type GpuChoice } from "../../runtime/gpus.js";
import type { MlserverInstall } from "./locate.js";

export interface MlserverPorts {
  http: number;
  grpc: number;
  metrics: number;
}
export const DEFAULT_MLSERVER_PORTS: MlserverPorts = { http: 8080, grpc: 8081, metrics: 8082 };
/** Seldon's full image: every runtime (sklearn, xgboost, lightgbm, mlflow, …) is installed in it. */
export const DEFAULT_MLSERVER_IMAGE = "docker.io/seldonio/mlserver:1.7.1";

export interface MlserverLaunchPlan {
  runtime: "local" | "docker";
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  repository: string;
  ports: MlserverPorts;
  urls: { http: string; metrics: string };
  folders: string[];
}

interface Inputs {
  name: string;
  repository: string;
  workDir: string;
  ports: MlserverPorts;
  parallelWorkers?: number;
  /** Absent: the runtimes see what the environment shows them. */
  gpus?: GpuChoice;
}

const urlsOf = (ports: MlserverPorts) => ({
  http: `http://127.0.0.1:${ports.http}`,
  metrics: `http://127.0.0.1:${ports.metrics}`,
});

/**
 * Server settings as MLSERVER_* variables, so nothing is written into the
 * user's repository. Models are not loaded at start-up: `mserve deploy` loads
 * them through the repository API, so a broken model never stops the server.
 */
function settingsEnv(inputs: Inputs, host: string, ports: MlserverPorts, workDir: string) {
  return {
    MLSERVER_HOST: host,
    MLSERVER_HTTP_PORT: String(ports.http),
    MLSERVER_GRPC_PORT: String(ports.grpc),
    MLSERVER_METRICS_PORT: String(ports.metrics),
    MLSERVER_LOAD_MODELS_AT_STARTUP: "false",
    MLSERVER_METRICS_DIR: join(workDir, "metrics"),
    MLSERVER_ENVIRONMENTS_DIR: join(workDir, "envs"),
    ...(inputs.parallelWorkers === undefined
      ? {}
      : { MLSERVER_PARALLEL_WORKERS: String(inputs.parallelWorkers) }),
  };
}

/** `mlserver start REPOSITORY` on 127.0.0.1, its state under the server's work dir. */
export function localMlserverPlan(inputs: Inputs, install: Pick<MlserverInstall, "bin">): MlserverLaunchPlan {
  return {
    runtime: "local",
    file: install.bin,
    args: ["start", inputs.repository],
    // Model runtimes (and their parallel workers) inherit it.
    env: {
      ...settingsEnv(inputs, "127.0.0.1", inputs.ports, inputs.workDir),
      ...cudaVisibleDevices(inputs.gpus),
    },
    cwd: inputs.workDir,
    logFile: join(inputs.workDir, "logs", "mlserver.log"),
    repository: inputs.repository,
    ports: inputs.ports,
    urls: urlsOf(inputs.ports),
    folders: [join(inputs.workDir, "logs"), join(inputs.workDir, "metrics"), inputs.repository],
  };
}

/** `docker run` of Seldon's image: ports published on 127.0.0.1 only, the repository mounted at /mnt/models. */
export function dockerMlserverPlan(inputs: Inputs, image = DEFAULT_MLSERVER_IMAGE): MlserverLaunchPlan {
  const { ports } = inputs;
  const env = settingsEnv(inputs, "0.0.0.0", DEFAULT_MLSERVER_PORTS, "/tmp/mlserver");
  const args = [
    "run",
    "-d",
    "--name",
    `mserve-${inputs.name}`,
    ...dockerGpuArgs(inputs.gpus),
    "-p",
    `127.0.0.1:${ports.http}:${DEFAULT_MLSERVER_PORTS.http}`,
    "-p",
    `127.0.0.1:${ports.grpc}:${DEFAULT_MLSERVER_PORTS.grpc}`,
    "-p",
    `127.0.0.1:${ports.metrics}:${DEFAULT_MLSERVER_PORTS.metrics}`,
    "-v",
    `${inputs.repository}:/mnt/models`,
    ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    image,
    "mlserver",
    "start",
    "/mnt/models",
  ];
  return {
    runtime: "docker",
    file: "docker",
    args,
    env: {},
    cwd: inputs.workDir,
    logFile: join(inputs.workDir, "logs", "mlserver.log"),
    repository: inputs.repository,
    ports,
    urls: urlsOf(ports),
    folders: [join(inputs.workDir, "logs"), inputs.repository],
  };
}
