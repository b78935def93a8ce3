import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { placementSummary, workerPlacement } from "../../../src/targets/torchserve/placement.js";
import type { DescribedWorker } from "../../../src/targets/torchserve/schemas.js";
import { modelsView } from "../../../src/targets/torchserve/views.js";
import { renderView } from "../../../src/ui/view.js";
import { repoRoot } from "../../helpers/cli.js";

const recorded = async (name: string) =>
  JSON.parse(await readFile(join(repoRoot, "test/fixtures/recorded/torchserve", name), "utf8")).body;

/** What WorkerThread.getGpuUsage (0.12) builds from `nvidia-smi -i <gpuId> --query-gpu=utilization.gpu,utilization.memory,memory.used --format=csv`. */
const gpuWorker = (
  id: string,
  gpuId: number,
  used: string,
): Pick<DescribedWorker, "id" | "gpu" | "gpuUsage"> => ({
  id,
  gpu: true,
  gpuUsage: `gpuId::${gpuId} utilization.gpu [%]::37 % utilization.memory [%]::5 % memory.used [MiB]::${used}`,
});

describe("where TorchServe workers run (describe's gpu / gpuUsage)", () => {
  it("a recorded CPU server: every worker is on the cpu", async () => {
    const [model] = await recorded("describe-after-scale.json");
    expect(model.workers.every((w: DescribedWorker) => w.gpu === false && w.gpuUsage === "N/A")).toBe(true);
    expect(model.workers.map(workerPlacement)).toEqual(
      model.workers.map((w: DescribedWorker) => ({ worker: w.id, device: "cpu" })),
    );
    expect(placementSummary(model.workers)).toBe(`cpu ×${model.workers.length}`);
  });

  it("GPU workers: the gpu id, the device's memory and utilization", () => {
    expect(workerPlacement(gpuWorker("9000", 1, "678 MiB"))).toEqual({
      worker: "9000",
      device: "gpu 1",
      gpuId: 1,
      gpuMemoryUsed: "678 MiB",
      gpuUtilization: "37 %",
    });
    expect(
      placementSummary([
        gpuWorker("9000", 0, "1 MiB"),
        gpuWorker("9001", 1, "1 MiB"),
        gpuWorker("9002", 0, "1 MiB"),
      ]),
    ).toBe("gpu 0 ×2, gpu 1");
    // nvidia-smi failed inside TorchServe: still a GPU worker, id unknown.
    expect(workerPlacement({ id: "9003", gpu: true, gpuUsage: "failed to obtained gpu usage" }).device).toBe(
      "gpu",
    );
  });

  it("`models` shows a DEVICES column, and per worker its device when one model is described", async () => {
    const [model] = await recorded("describe-after-scale.json");
    const gpuModel = {
      ...model,
      isDefault: true,
      workers: model.workers.map((w: DescribedWorker, i: number) => ({
        ...w,
        ...gpuWorker(w.id, i, "512 MiB"),
      })),
    };
    const ready = () => ({ ready: gpuModel.workers.length, wanted: gpuModel.workers.length, isReady: true });
    const text = renderView(modelsView([gpuModel], "intent", ready as never));
    expect(text).toMatch(/DEVICES/);
    expect(text).toContain("gpu 0, gpu 1");
    expect(text).toContain("gpu 1 (512 MiB used, 37 %)");
  });
});
