import { usageError } from "../../errors.js";
import { type GpuChoice, parseGpuChoice } from "../../runtime/gpus.js";
import type { ModelConfig } from "./config.js";

export type InstanceGroups = NonNullable<ModelConfig["instance_group"]>;
type InstanceGroup = InstanceGroups[number];

/**
 * `deploy --target triton --gpus`: the instance groups config.pbtxt gets. Triton
 * starts `count` instances on EACH GPU a KIND_GPU group lists (all GPUs when it
 * lists none), so the count config.pbtxt already has is kept as the count per GPU.
 * `none` is KIND_CPU with that count.
 *
 * GPU indexes are nvidia-smi's; a server mserve started with `--gpus 2,3` sees
 * those as 0 and 1 (CUDA_VISIBLE_DEVICES, docker --gpus), which is what Triton
 * wants in `gpus`, so they are renumbered here; a GPU the server cannot see is refused.
 */
export function gpuInstanceGroups(
  flag: string,
  config: ModelConfig,
  serverGpus?: string,
): { groups: InstanceGroup[]; warnings: string[] } {
  const choice = parseGpuChoice(flag);
  const count = config.instance_group?.[0]?.count ?? 1;
  const warnings: string[] = [];
  if (choice.mode === "none") return { groups: [{ kind: "KIND_CPU", count }], warnings };
  if (serverGpus === "none")
    warnings.push(
      `the server was started with --gpus none: Triton will refuse KIND_GPU instances, as no GPU is visible to it; restart it with \`mserve serve --target triton --gpus ${flag}\``,
    );
  if (choice.mode === "all") return { groups: [{ kind: "KIND_GPU", count }], warnings };
  return { groups: [{ kind: "KIND_GPU", count, gpus: serverNumbering(choice, serverGpus, flag) }], warnings };
}

function serverNumbering(
  choice: Extract<GpuChoice, { mode: "devices" }>,
  serverGpus: string | undefined,
  flag: string,
) {
  if (!serverGpus || serverGpus === "all" || serverGpus === "none") return choice.ids;
  const visible = parseGpuChoice(serverGpus);
  if (visible.mode !== "devices") return choice.ids;
  const hidden = choice.ids.filter((id) => !visible.ids.includes(id));
  if (hidden.length)
    throw usageError(
      `--gpus ${flag}: the server was started with --gpus ${serverGpus} and cannot see GPU ${hidden.join(", ")}`,
      `Choose among ${serverGpus}, or restart the server with the GPUs you want.`,
    );
  return choice.ids.map((id) => visible.ids.indexOf(id));
}

/** "CPU ×2", "GPU 0,1 ×1 each", "all GPUs ×2 each": one cell per model for `models` and `deploy`. */
export function describeInstanceGroups(groups: InstanceGroup[] | undefined): string {
  if (!groups?.length) return "-";
  return groups
    .map((g) => {
      const count = g.count ?? 1;
      const kind = (g.kind ?? "KIND_AUTO").replace(/^KIND_/, "");
      if (kind !== "GPU") return `${kind} ×${count}`;
      return g.gpus?.length ? `GPU ${g.gpus.join(",")} ×${count} each` : `all GPUs ×${count} each`;
    })
    .join(", ");
}
