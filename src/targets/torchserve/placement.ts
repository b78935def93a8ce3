import type { DescribedWorker } from "./schemas.js";

/** Where one TorchServe worker runs, from describe's `gpu` and `gpuUsage`. */
export interface WorkerPlacement {
  worker: string;
  /** "cpu", or "gpu N" with N the gpu_id the worker was handed (counted within CUDA_VISIBLE_DEVICES). */
  device: string;
  gpuId?: number;
  /** memory.used of that GPU as nvidia-smi reports it (the whole device, not only this worker). */
  gpuMemoryUsed?: string;
  /** utilization.gpu of that GPU. */
  gpuUtilization?: string;
}

/**
 * TorchServe 0.12 sets `gpu` when the worker has a gpu_id (WorkerThread) and
 * `gpuUsage` to "N/A" on CPU, or to nvidia-smi's answer for that id:
 * "gpuId::0 utilization.gpu [%]::3 % utilization.memory [%]::0 % memory.used [MiB]::678 MiB".
 */
export function workerPlacement(worker: Pick<DescribedWorker, "id" | "gpu" | "gpuUsage">): WorkerPlacement {
  if (!worker.gpu) return { worker: worker.id, device: "cpu" };
  const usage = worker.gpuUsage ?? "";
  const id = /gpuId::(\d+)/.exec(usage)?.[1];
  const field = (name: string) =>
    new RegExp(`${name} \\[[^\\]]*\\]::([^:]+?)(?= \\S+ \\[|$)`).exec(usage)?.[1]?.trim();
  const memory = field("memory\\.used");
  const utilization = field("utilization\\.gpu");
  return {
    worker: worker.id,
    device: id === undefined ? "gpu" : `gpu ${id}`,
    ...(id === undefined ? {} : { gpuId: Number(id) }),
    ...(memory ? { gpuMemoryUsed: memory } : {}),
    ...(utilization ? { gpuUtilization: utilization } : {}),
  };
}

/** "cpu ×2", "gpu 0, gpu 1", "gpu 0 ×2": one cell for a model's workers. */
export function placementSummary(workers: Pick<DescribedWorker, "id" | "gpu" | "gpuUsage">[]): string {
  if (workers.length === 0) return "-";
  const counts = new Map<string, number>();
  for (const w of workers.map(workerPlacement)) counts.set(w.device, (counts.get(w.device) ?? 0) + 1);
  return [...counts].map(([device, n]) => (n > 1 ? `${device} ×${n}` : device)).join(", ");
}
