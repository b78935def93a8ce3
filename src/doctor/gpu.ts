import { type GpuProbe, parseCudaVersion, probeGpus } from "../runtime/gpus.js";
import { locateExecutable } from "../runtime/locate.js";
import { type CheckResult, type DoctorEnv, explain, firstLine, pass } from "./types.js";

/** One nvidia-smi call per doctor run, shared by the GPU rows and the targets' torch rows. */
export function gpuProbeOf(d: DoctorEnv): Promise<GpuProbe> {
  d.gpuProbe ??= probeGpus(d.exec, d.env);
  return d.gpuProbe;
}

const DRIVER_FIX =
  "Install or reload the NVIDIA driver until `nvidia-smi` lists the GPUs: after a driver update reboot (or `sudo modprobe nvidia`); check `dmesg | grep -i nvidia` for why it did not load.";

/**
 * A row per GPU nvidia-smi lists (name, memory, driver, the CUDA version the
 * driver supports). No nvidia-smi is a machine without NVIDIA GPUs: servers run
 * on CPU, nothing to fix. A driver that does not answer fails: serve would
 * quietly fall back to CPU on a machine meant for GPUs.
 */
export async function checkGpus(d: DoctorEnv): Promise<CheckResult[]> {
  const probe = await gpuProbeOf(d);
  if (probe.state === "absent")
    return [pass("gpu", "GPUs", "none: no nvidia-smi on PATH, so servers run on CPU (serve --gpus none)")];
  if (probe.state === "failed")
    return [
      {
        id: "gpu",
        title: "GPUs",
        status: "fail",
        detail: `nvidia-smi failed: ${probe.message}`,
        fix: DRIVER_FIX,
      },
    ];
  if (probe.state === "none")
    return [
      {
        id: "gpu",
        title: "GPUs",
        status: "warn",
        detail: `nvidia-smi lists no GPU (${probe.message})`,
        fix: "Only needed to serve on GPUs: check the card is seen (`lspci | grep -i nvidia`) and not hidden from this machine or container (CUDA_VISIBLE_DEVICES, docker --gpus).",
      },
    ];
  // The banner is the one place nvidia-smi states the CUDA version; --query-gpu has no field for it.
  const banner = await d.exec(probe.bin, [], { timeoutMs: 15_000 });
  const cuda = parseCudaVersion(banner.stdout);
  return probe.gpus.map((g) =>
    pass(
      `gpu${g.index}`,
      `GPU ${g.index}`,
      `${g.name}, ${g.memoryMiB} MiB, driver ${g.driver}${cuda ? `, CUDA ${cuda}` : ""}`,
    ),
  );
}

/**
 * `docker run --gpus` needs the NVIDIA Container Toolkit: the daemon lists an
 * `nvidia` runtime once `nvidia-ctk runtime configure` has run. Asked only on a
 * machine with GPUs and a reachable daemon; docker itself is optional, so a
 * missing toolkit warns.
 */
export async function checkNvidiaContainerRuntime(d: DoctorEnv): Promise<CheckResult[]> {
  const probe = await gpuProbeOf(d);
  if (probe.state !== "ok") return [];
  const docker = locateExecutable("docker", { PATH: d.env.PATH }, "/");
  if (!docker) return [];
  const info = await d.exec(docker.path, ["info", "--format", "{{json .Runtimes}}"]);
  if (info.exitCode !== 0) return [];
  const id = "nvidia-container";
  const title = "NVIDIA container runtime (docker --gpus)";
  let runtimes: string[] = [];
  try {
    runtimes = Object.keys(JSON.parse(firstLine(info.stdout)) as Record<string, unknown>);
  } catch {
    return [
      {
        id,
        title,
        status: "warn",
        detail: `docker info gave no runtimes (${explain(info)})`,
        fix: "Run `docker info` to see why.",
      },
    ];
  }
  if (runtimes.includes("nvidia"))
    return [pass(id, title, `configured (docker runtimes: ${runtimes.join(", ")})`)];
  return [
    {
      id,
      title,
      status: "warn",
      detail: `docker has no nvidia runtime (runtimes: ${runtimes.join(", ") || "none"}): --runtime docker --gpus fails`,
      fix: "Install the NVIDIA Container Toolkit, then `sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker`.",
    },
  ];
}

/** What a Python prints about its torch and CUDA (the last line of the probe scripts). */
export interface TorchCuda {
  version: string;
  available: boolean;
  cuda: string | null;
  devices: number;
}

/** Python that prints TorchCuda as JSON, or {"error": ...} when torch does not import. */
export const TORCH_CUDA_PROBE = `import json
try:
    import torch
    print(json.dumps({"version": torch.__version__, "available": bool(torch.cuda.is_available()),
                      "cuda": torch.version.cuda, "devices": torch.cuda.device_count()}))
except Exception as error:
    print(json.dumps({"error": type(error).__name__ + ": " + str(error)}))`;

/**
 * Whether the Python a server runs models in sees CUDA. Where nvidia-smi lists
 * GPUs a CPU-only torch warns (the server works, on CPU); elsewhere it passes.
 */
export function torchCudaRow(
  id: string,
  title: string,
  python: string,
  torch: TorchCuda | undefined,
  probe: GpuProbe,
): CheckResult {
  const gpus = probe.state === "ok" ? probe.gpus.length : 0;
  if (!torch)
    return {
      id,
      title,
      status: "warn",
      detail: `${python}: torch does not import`,
      fix: "See the row above.",
    };
  if (torch.available)
    return pass(
      id,
      title,
      `torch ${torch.version} sees ${torch.devices} CUDA device(s) (CUDA ${torch.cuda})`,
    );
  if (gpus === 0)
    return pass(id, title, `torch ${torch.version}: CUDA not available, and no GPU here (CPU path)`);
  return {
    id,
    title,
    status: "warn",
    detail: `torch ${torch.version} does not see CUDA${torch.cuda ? ` (built for CUDA ${torch.cuda})` : " (a CPU-only build)"}, though nvidia-smi lists ${gpus} GPU(s): models run on CPU`,
    fix: `${python} -m pip install torch==${torch.version.split("+")[0]} --index-url https://download.pytorch.org/whl/cu128  (pick the cuXYZ index for a CUDA the driver supports; see the GPU rows)`,
  };
}

/** Runs TORCH_CUDA_PROBE with `python`; undefined when torch does not import or the Python does not run. */
export async function probeTorchCuda(
  d: DoctorEnv,
  python: string,
  timeoutMs: number,
  env?: Record<string, string>,
): Promise<TorchCuda | undefined> {
  const result = await d.exec(python, ["-c", TORCH_CUDA_PROBE], { timeoutMs, ...(env ? { env } : {}) });
  const last = result.stdout.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(last) as Partial<TorchCuda> & { error?: string };
    return parsed.error || typeof parsed.available !== "boolean" ? undefined : (parsed as TorchCuda);
  } catch {
    return undefined;
  }
}
