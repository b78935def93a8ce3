import { join } from "node:path";
import { cudaVisibleDevices, dockerGpuArgs, type GpuChoice } from "../../runtime/gpus.js";

export const DEFAULT_TFSERVING_IMAGE = "tensorflow/serving";
/** TF Serving's CUDA build; the plain image is CPU-only and ignores GPUs. */
export const DEFAULT_TFSERVING_GPU_IMAGE = "tensorflow/serving:latest-gpu";

export interface TfServingLaunchPlan {
  runtime: "local" | "docker";
  file: string;
  args: string[];
  /** Set on top of the caller's environment (CUDA_VISIBLE_DEVICES). */
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  base: string;
  ports: { rest: number; grpc: number };
  urls: { rest: string };
}

interface Inputs {
  name: string;
  base: string;
  workDir: string;
  ports: { rest: number; grpc: number };
  pollSeconds: number;
  /** Absent: the server's own default (a GPU build uses every GPU it sees). */
  gpus?: GpuChoice;
}

/**
 * models.config is re-read every pollSeconds, so `package --target tfserving`
 * (and `release` moving a label) reaches a running server without a restart.
 */
const serverFlags = (
  configFile: string,
  ports: { rest: number; grpc: number },
  pollSeconds: number,
  address?: string,
) => [
  `--port=${ports.grpc}`,
  `--rest_api_port=${ports.rest}`,
  ...(address ? [`--rest_api_host=${address}`] : []),
  `--model_config_file=${configFile}`,
  `--model_config_file_poll_wait_seconds=${pollSeconds}`,
];

export function localTfServingPlan(inputs: Inputs, bin: string): TfServingLaunchPlan {
  return {
    runtime: "local",
    file: bin,
    args: serverFlags(join(inputs.base, "models.config"), inputs.ports, inputs.pollSeconds, "127.0.0.1"),
    env: cudaVisibleDevices(inputs.gpus),
    cwd: inputs.workDir,
    logFile: join(inputs.workDir, "logs", "tfserving.log"),
    base: inputs.base,
    ports: inputs.ports,
    urls: { rest: `http://127.0.0.1:${inputs.ports.rest}` },
  };
}

/** The base folder is mounted at the same path inside, so base_path entries stay valid in both. */
export function dockerTfServingPlan(inputs: Inputs, image?: string): TfServingLaunchPlan {
  const gpus = inputs.gpus && inputs.gpus.mode !== "none";
  return {
    runtime: "docker",
    file: "docker",
    args: [
      "run",
      "-d",
      "--name",
      `mserve-${inputs.name}`,
      ...dockerGpuArgs(inputs.gpus),
      "-p",
      `127.0.0.1:${inputs.ports.rest}:8501`,
      "-p",
      `127.0.0.1:${inputs.ports.grpc}:8500`,
      "-v",
      `${inputs.base}:${inputs.base}`,
      image ?? (gpus ? DEFAULT_TFSERVING_GPU_IMAGE : DEFAULT_TFSERVING_IMAGE),
      ...serverFlags(join(inputs.base, "models.config"), { rest: 8501, grpc: 8500 }, inputs.pollSeconds),
    ],
    env: {},
    cwd: inputs.workDir,
    logFile: join(inputs.workDir, "logs", "tfserving.log"),
    base: inputs.base,
    ports: inputs.ports,
    urls: { rest: `http://127.0.0.1:${inputs.ports.rest}` },
  };
}
