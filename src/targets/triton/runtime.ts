import { delimiter, join, resolve } from "node:path";
import { cudaVisibleDevices, dockerGpuArgs, type GpuChoice } from "../../runtime/gpus.js";
import type { TritonInstall } from "./locate.js";

export interface TritonPorts {
  http: number;
  grpc: number;
  metrics: number;
}
export const DEFAULT_TRITON_PORTS: TritonPorts = { http: 8000, grpc: 8001, metrics: 8002 };
export const DEFAULT_TRITON_IMAGE = "nvcr.io/nvidia/tritonserver:24.10-py3";

export interface TritonLaunchPlan {
  runtime: "local" | "docker";
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  repository: string;
  ports: TritonPorts;
  urls: { http: string; metrics: string };
  /** Symlinks to create before starting (pytriton's backend folder). */
  links: { target: string; path: string }[];
  folders: string[];
}

interface Inputs {
  name: string;
  repository: string;
  workDir: string;
  ports: TritonPorts;
  /**
   * The devices Triton may see: KIND_GPU instance groups (and KIND_AUTO ones
   * resolving to GPU) go to these, numbered from 0. Absent: Triton sees what the
   * environment shows it.
   */
  gpus?: GpuChoice;
}

const urlsOf = (ports: TritonPorts) => ({
  http: `http://127.0.0.1:${ports.http}`,
  metrics: `http://127.0.0.1:${ports.metrics}`,
});

/** Explicit model control: nothing loads until mserve asks, so a broken model never blocks start-up. */
const tritonArgs = (repository: string, ports: TritonPorts, address: string) => [
  `--model-repository=${repository}`,
  "--model-control-mode=explicit",
  `--http-port=${ports.http}`,
  `--http-address=${address}`,
  `--grpc-port=${ports.grpc}`,
  `--grpc-address=${address}`,
  `--metrics-port=${ports.metrics}`,
  `--metrics-address=${address}`,
  "--log-verbose=0",
];

/**
 * A local tritonserver. For nvidia-pytriton's binary, the python backend folder
 * is assembled in the work dir (the stub for this Python next to the backend),
 * its bundled libraries go on LD_LIBRARY_PATH, and its venv's bin/ first on PATH:
 * the stub runs an isolated interpreter (PYTHONPATH ignored) that finds its home
 * by looking up `python3` on PATH, so it becomes the venv's Python and any
 * model.py imports what the venv holds (numpy, torch, onnxruntime). PYTHONPATH
 * is still set for model files that add it to sys.path themselves.
 */
export function localTritonPlan(
  inputs: Inputs,
  install: TritonInstall,
  searchPath?: string,
): TritonLaunchPlan {
  const logFile = join(inputs.workDir, "logs", "triton.log");
  const args = tritonArgs(inputs.repository, inputs.ports, "127.0.0.1");
  const env: Record<string, string> = { ...cudaVisibleDevices(inputs.gpus) };
  const links: TritonLaunchPlan["links"] = [];
  if (install.pytriton) {
    const { root, libs, sitePackages } = install.pytriton;
    // The stub must match the Python whose packages the models import.
    const pythonVersion = /python(3\.\d+)/.exec(sitePackages)?.[1] ?? "3.11";
    const backends = join(inputs.workDir, "backends");
    for (const file of ["libtriton_python.so", "triton_python_backend_utils.py"]) {
      links.push({ target: join(root, "backends", "python", file), path: join(backends, "python", file) });
    }
    links.push({
      target: join(root, "python_backend_stubs", pythonVersion, "triton_python_backend_stub"),
      path: join(backends, "python", "triton_python_backend_stub"),
    });
    args.push(`--backend-directory=${backends}`, `--cache-directory=${join(root, "caches")}`);
    env.LD_LIBRARY_PATH = libs;
    env.PYTHONPATH = sitePackages;
    const venvBin = join(resolve(sitePackages, "..", "..", ".."), "bin");
    env.PATH = [venvBin, ...(searchPath ? [searchPath] : [])].join(delimiter);
  }
  return {
    runtime: "local",
    file: install.bin,
    args,
    env,
    cwd: inputs.workDir,
    logFile,
    repository: inputs.repository,
    ports: inputs.ports,
    urls: urlsOf(inputs.ports),
    links,
    folders: [join(inputs.workDir, "logs"), join(inputs.workDir, "backends", "python"), inputs.repository],
  };
}

/** `docker run` for NVIDIA's image: ports published on 127.0.0.1, the repository mounted at /models. */
export function dockerTritonPlan(inputs: Inputs, image = DEFAULT_TRITON_IMAGE): TritonLaunchPlan {
  const { ports } = inputs;
  const args = [
    "run",
    "-d",
    "--name",
    `mserve-${inputs.name}`,
    "--shm-size=1g",
    ...dockerGpuArgs(inputs.gpus),
    "-p",
    `127.0.0.1:${ports.http}:8000`,
    "-p",
    `127.0.0.1:${ports.grpc}:8001`,
    "-p",
    `127.0.0.1:${ports.metrics}:8002`,
    "-v",
    `${inputs.repository}:/models`,
    image,
    "tritonserver",
    ...tritonArgs("/models", DEFAULT_TRITON_PORTS, "0.0.0.0"),
  ];
  return {
    runtime: "docker",
    file: "docker",
    args,
    env: {},
    cwd: inputs.workDir,
    logFile: join(inputs.workDir, "logs", "triton.log"),
    repository: inputs.repository,
    ports,
    urls: urlsOf(ports),
    links: [],
    folders: [join(inputs.workDir, "logs"), inputs.repository],
  };
}
