import { join } from "node:path";

export const DEFAULT_TFSERVING_IMAGE = "tensorflow/serving";

export interface TfServingLaunchPlan {
  runtime: "local" | "docker";
  file: string;
  args: string[];
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
    cwd: inputs.workDir,
    logFile: join(inputs.workDir, "logs", "tfserving.log"),
    base: inputs.base,
    ports: inputs.ports,
    urls: { rest: `http://127.0.0.1:${inputs.ports.rest}` },
  };
}

/** The base folder is mounted at the same path inside, so base_path entries stay valid in both. */
export function dockerTfServingPlan(inputs: Inputs, image = DEFAULT_TFSERVING_IMAGE): TfServingLaunchPlan {
  return {
    runtime: "docker",
    file: "docker",
    args: [
      "run",
      "-d",
      "--name",
      `mserve-${inputs.name}`,
      "-p",
      `127.0.0.1:${inputs.ports.rest}:8501`,
      "-p",
      `127.0.0.1:${inputs.ports.grpc}:8500`,
      "-v",
      `${inputs.base}:${inputs.base}`,
      image,
      ...serverFlags(join(inputs.base, "models.config"), { rest: 8501, grpc: 8500 }, inputs.pollSeconds),
    ],
    cwd: inputs.workDir,
    logFile: join(inputs.workDir, "logs", "tfserving.log"),
    base: inputs.base,
    ports: inputs.ports,
    urls: { rest: `http://127.0.0.1:${inputs.ports.rest}` },
  };
}
