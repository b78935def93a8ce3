import { join } from "node:path";
import { usageError } from "../../errors.js";
import { cudaVisibleDevices, dockerGpuArgs, type GpuChoice } from "../../runtime/gpus.js";

/** The five listeners of TorchServe 0.12 (it has no switch to turn gRPC off, so its ports must be unique too). */
export interface TorchServePorts {
  inference: number;
  management: number;
  metrics: number;
  grpcInference: number;
  grpcManagement: number;
}

export const DEFAULT_PORTS: TorchServePorts = {
  inference: 8080,
  management: 8081,
  metrics: 8082,
  grpcInference: 7070,
  grpcManagement: 7071,
};

export const DEFAULT_IMAGE = "pytorch/torchserve:0.12.0-cpu";
/** The CUDA build of the same release (reference §8.2: `<ver>-gpu`), for `--gpus` other than none. */
export const DEFAULT_GPU_IMAGE = "pytorch/torchserve:0.12.0-gpu";
/** Paths inside the stock image (reference §8.2). */
const CONTAINER_HOME = "/home/model-server";
const CONTAINER_STORE = `${CONTAINER_HOME}/model-store`;
const CONTAINER_RUN = `${CONTAINER_HOME}/mserve`;

/** `--ports 8080,8081,8082[,7070,7071]`: inference, management, metrics, then optionally gRPC. */
export function parsePorts(text: string | undefined): TorchServePorts {
  if (text === undefined) return { ...DEFAULT_PORTS };
  const values = text.split(",").map((s) => s.trim());
  const numbers = values.map(Number);
  if (
    (values.length !== 3 && values.length !== 5) ||
    numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 65535)
  ) {
    throw usageError(
      `invalid --ports "${text}"`,
      "Give inference,management,metrics ports (e.g. 9080,9081,9082), optionally followed by the two gRPC ports.",
    );
  }
  const [inference, management, metrics, grpcInference, grpcManagement] = numbers as [
    number,
    number,
    number,
    number?,
    number?,
  ];
  const given = values.length === 5 ? numbers : [inference, management, metrics];
  const repeated = given.find((n, i) => given.indexOf(n) !== i);
  if (repeated !== undefined) throw usageError(`--ports "${text}" gives port ${repeated} twice`);
  // Moving the HTTP ports without the gRPC ones would clash with a server on the defaults;
  // derived gRPC ports skip the ones given, so 18080,18091,18092 is not refused for 18091.
  const free = (from: number, taken: number[]) => {
    let port = from;
    while (taken.includes(port)) port++;
    return port;
  };
  const derivedInference = inference === 8080 ? 7070 : free(inference + 10, given);
  const derivedManagement =
    inference === 8080 ? 7071 : free(derivedInference + 1, [...given, derivedInference]);
  const ports: TorchServePorts = {
    inference,
    management,
    metrics,
    grpcInference: grpcInference ?? derivedInference,
    grpcManagement: grpcManagement ?? derivedManagement,
  };
  return ports;
}

export interface ConfigOptions {
  ports: TorchServePorts;
  /** Address the listeners bind to: 127.0.0.1 for a local process, 0.0.0.0 inside a container. */
  bind: string;
  modelStore: string;
  tokenAuth: boolean;
  /**
   * number_of_gpu: TorchServe uses min(this, the GPUs it counts itself through
   * CUDA_VISIBLE_DEVICES or nvidia-smi) and hands workers gpu_id 0..n-1 in turn.
   * Absent: TorchServe counts them (0.12 ConfigManager).
   */
  numberOfGpu?: number;
}

/**
 * config.properties for a server mserve starts: model API on (registering is the
 * point), one worker per model (the default of one per CPU core exhausts laptops),
 * no per-model pip installs unless the user asks.
 */
export function configProperties(options: ConfigOptions): string {
  const { ports, bind } = options;
  return [
    "# Written by mserve serve; edit and restart with `mserve stop` + `mserve serve`.",
    `inference_address=http://${bind}:${ports.inference}`,
    `management_address=http://${bind}:${ports.management}`,
    `metrics_address=http://${bind}:${ports.metrics}`,
    `grpc_inference_port=${ports.grpcInference}`,
    `grpc_management_port=${ports.grpcManagement}`,
    `model_store=${options.modelStore}`,
    "enable_model_api=true",
    `disable_token_authorization=${!options.tokenAuth}`,
    "default_workers_per_model=1",
    ...(options.numberOfGpu === undefined ? [] : [`number_of_gpu=${options.numberOfGpu}`]),
    // Metrics on the metrics port (Prometheus) instead of only in log files, so `bench` and scrapers can read them.
    "metrics_mode=prometheus",
    "default_response_timeout=120",
    "default_startup_timeout=120",
    "",
  ].join("\n");
}

export interface ServeInputs {
  name: string;
  ports: TorchServePorts;
  /** Host folder with the archives. */
  modelStore: string;
  /** Host folder for config, logs, temp and key_file.json. */
  workDir: string;
  tokenAuth: boolean;
  /** Absent: nothing about GPUs is set, TorchServe decides. */
  gpus?: GpuChoice;
  /** GPUs the server will see (see ConfigOptions.numberOfGpu). */
  gpuCount?: number;
}

export interface LaunchPlan {
  runtime: "local" | "docker";
  ports: TorchServePorts;
  /** Host folder the server loads archives from. */
  modelStore: string;
  /** Files to write before launching. */
  files: { path: string; content: string }[];
  /** Folders to create before launching. */
  folders: string[];
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** A folder to put first on the server's PATH. */
  pathPrepend?: string;
  logFile: string;
  configFile: string;
  /** Host path where the running server writes key_file.json (token auth on). */
  keyFile?: string;
  urls: { inference: string; management: string; metrics: string };
}

const urlsFor = (ports: TorchServePorts) => ({
  inference: `http://127.0.0.1:${ports.inference}`,
  management: `http://127.0.0.1:${ports.management}`,
  metrics: `http://127.0.0.1:${ports.metrics}`,
});

/**
 * A local TorchServe process. `--foreground` keeps the launcher alive as the
 * group leader so stopping the group stops the JVM and its Python workers;
 * `--ncs` stops config snapshots from re-registering old models on the next start.
 * The working folder is where the JVM writes key_file.json.
 */
export function localLaunchPlan(inputs: ServeInputs, torchserveBin: string, binDir: string): LaunchPlan {
  const logs = join(inputs.workDir, "logs");
  const temp = join(inputs.workDir, "tmp");
  const configFile = join(inputs.workDir, "config.properties");
  return {
    runtime: "local",
    ports: inputs.ports,
    modelStore: inputs.modelStore,
    folders: [inputs.workDir, logs, temp, inputs.modelStore],
    files: [
      {
        path: configFile,
        content: configProperties({
          ports: inputs.ports,
          bind: "127.0.0.1",
          modelStore: inputs.modelStore,
          tokenAuth: inputs.tokenAuth,
          numberOfGpu: inputs.gpuCount,
        }),
      },
    ],
    file: torchserveBin,
    args: [
      "--start",
      "--foreground",
      "--ncs",
      "--model-store",
      inputs.modelStore,
      "--ts-config",
      configFile,
      "--enable-model-api",
      ...(inputs.tokenAuth ? [] : ["--disable-token-auth"]),
    ],
    cwd: inputs.workDir,
    // Workers run the first `python` on PATH: make it the one next to torchserve (it has torch).
    pathPrepend: binDir,
    env: {
      // TorchServe allows one instance per temp dir (its PID file) and extracts archives there.
      TEMP: temp,
      TMPDIR: temp,
      LOG_LOCATION: logs,
      METRICS_LOCATION: logs,
      // The frontend counts GPUs from it, and workers inherit it (cuda:N is the Nth listed).
      ...cudaVisibleDevices(inputs.gpus),
    },
    logFile: join(logs, "console.log"),
    configFile,
    keyFile: inputs.tokenAuth ? join(inputs.workDir, "key_file.json") : undefined,
    urls: urlsFor(inputs.ports),
  };
}

/**
 * `docker run` for the stock image. The image's own config leaves the model API
 * off, so mserve mounts its own; the work folder is mounted as the container's
 * working directory so key_file.json, logs and temp files land on the host, and
 * the container runs as the host user so those files stay readable here.
 */
export function dockerLaunchPlan(
  inputs: ServeInputs,
  options: { image?: string; user?: string; containerName?: string } = {},
): LaunchPlan {
  const logs = join(inputs.workDir, "logs");
  const configFile = join(inputs.workDir, "config.properties");
  const p = inputs.ports;
  const publish = (port: number) => ["-p", `127.0.0.1:${port}:${port}`];
  const torchserveArgs = [
    "torchserve",
    "--start",
    "--foreground",
    "--ncs",
    "--model-store",
    CONTAINER_STORE,
    "--ts-config",
    `${CONTAINER_RUN}/config.properties`,
    "--enable-model-api",
    ...(inputs.tokenAuth ? [] : ["--disable-token-auth"]),
  ];
  return {
    runtime: "docker",
    ports: inputs.ports,
    modelStore: inputs.modelStore,
    folders: [inputs.workDir, logs, join(inputs.workDir, "tmp"), inputs.modelStore],
    files: [
      {
        path: configFile,
        content: configProperties({
          ports: p,
          bind: "0.0.0.0",
          modelStore: CONTAINER_STORE,
          tokenAuth: inputs.tokenAuth,
          numberOfGpu: inputs.gpuCount,
        }),
      },
    ],
    file: "docker",
    args: [
      "run",
      "-d",
      "--name",
      options.containerName ?? `mserve-${inputs.name}`,
      "--label",
      `mserve.server=${inputs.name}`,
      "--shm-size=1g",
      "--ulimit",
      "memlock=-1",
      "--ulimit",
      "stack=67108864",
      ...(options.user ? ["--user", options.user] : []),
      // Inside the container the chosen GPUs are numbered from 0, as TorchServe counts them.
      ...dockerGpuArgs(inputs.gpus),
      ...publish(p.inference),
      ...publish(p.management),
      ...publish(p.metrics),
      "-v",
      `${inputs.modelStore}:${CONTAINER_STORE}`,
      "-v",
      `${inputs.workDir}:${CONTAINER_RUN}`,
      "-w",
      CONTAINER_RUN,
      "-e",
      `TEMP=${CONTAINER_RUN}/tmp`,
      "-e",
      `LOG_LOCATION=${CONTAINER_RUN}/logs`,
      "-e",
      `METRICS_LOCATION=${CONTAINER_RUN}/logs`,
      options.image ?? (!inputs.gpus || inputs.gpus.mode === "none" ? DEFAULT_IMAGE : DEFAULT_GPU_IMAGE),
      ...torchserveArgs,
    ],
    cwd: inputs.workDir,
    env: {},
    logFile: join(logs, "ts_log.log"),
    configFile,
    keyFile: inputs.tokenAuth ? join(inputs.workDir, "key_file.json") : undefined,
    urls: urlsFor(p),
  };
}
