import type { CommandRun } from "../command-tree.js";
import { readiness } from "../targets/torchserve/client.js";
import { describeAll, describeModel, type ModelView } from "../targets/torchserve/manage.js";
import { formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { withConnection } from "./support/connection.js";
import { kserveModels } from "./support/kserve-ops.js";
import { resolveServerModel } from "./support/model-target.js";
import { tfServingModels } from "./support/tfserving-ops.js";
import { targetOf } from "./support/triton.js";
import { tritonModels } from "./support/triton-ops.js";

function workersCell(m: ModelView): string {
  const { ready } = readiness(m);
  return `${ready}/${m.workers.length} READY (min ${m.minWorkers}, max ${m.maxWorkers})`;
}

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  if (rawOptions.target === "kserve") return kserveModels(positional[0], rawOptions, ctx);
  const kind = await targetOf(rawOptions, ctx);
  if (kind === "triton") return tritonModels(positional, rawOptions, ctx);
  if (kind === "tfserving") return tfServingModels(positional, rawOptions, ctx);
  const ui = createUi(ctx);
  const target =
    positional[0] || rawOptions.id ? await resolveServerModel(positional, rawOptions, ctx) : undefined;
  const ref = target && { name: target.name, ...(target.version ? { version: target.version } : {}) };
  const models = await withConnection(rawOptions, ctx, "30s", ({ client }) =>
    ref ? describeModel(client, ref) : describeAll(client),
  );
  ui.result({ models }, () => {
    if (models.length === 0) return ctx.quiet ? "" : "no models registered (deploy one with `mserve deploy`)";
    const table = formatTable(
      ["NAME", "VERSION", "DEFAULT", "WORKERS", "BATCH", "ARCHIVE"],
      models.map((m) => [
        m.modelName,
        m.modelVersion,
        m.isDefault ? "*" : "",
        workersCell(m),
        `${m.batchSize}/${m.maxBatchDelay}ms`,
        m.modelUrl,
      ]),
    );
    if (!ref) return table;
    // Describing one model: also show each worker, as `kubectl describe` would.
    const workers = models.flatMap((m) =>
      m.workers.map((w) => [
        `${m.modelName}:${m.modelVersion}`,
        w.id,
        w.status,
        String(w.pid ?? ""),
        // TorchServe reports 0 until it has sampled the worker; show nothing rather than "0 MiB".
        w.memoryUsage ? `${Math.round(w.memoryUsage / 1024 / 1024)} MiB` : "",
        w.startTime ?? "",
      ]),
    );
    return workers.length === 0
      ? `${table}\n\nno workers: add some with \`mserve scale ${ref.name} --min 1\``
      : `${table}\n\n${formatTable(["VERSION", "WORKER", "STATUS", "PID", "MEMORY", "STARTED"], workers)}`;
  });
};
