import { relative } from "node:path";
import { formatBytes } from "../../ui/format.js";
import { fields, lines, table, type View } from "../../ui/view.js";
import type { MarArtifact } from "./artifact.js";
import type { readiness } from "./client.js";
import type { DeployResult } from "./deploy.js";
import type { ModelView, UnregisterResult } from "./manage.js";
import { placementSummary, workerPlacement } from "./placement.js";
import type { MarPlan } from "./plan.js";
import type { InspectReport } from "./read-artifact.js";

/** How TorchServe results read as text; the adapter pairs each with its JSON data. */

const shown = (cwd: string, path: string) => relative(cwd, path) || ".";

export function dryRunView(plan: MarPlan, cwd: string) {
  const entries = [...plan.entries, plan.manifestEntry].map((e) => ({
    name: e.name,
    size: e.size,
    source: e.source.kind === "file" ? e.source.path : "(generated)",
  }));
  const data = {
    dryRun: true,
    path: plan.outputPath,
    format: plan.inputs.archiveFormat,
    manifest: plan.manifest,
    entries,
  };
  const view: View = {
    blocks: [
      lines(`would write ${shown(cwd, plan.outputPath)} (${plan.inputs.archiveFormat})`),
      table(
        ["entry", "size", "from"],
        entries.map((e) => [
          e.name,
          formatBytes(e.size),
          e.source === "(generated)" ? e.source : shown(cwd, e.source),
        ]),
      ),
    ],
  };
  return { data, view };
}

export function artifactView(artifact: MarArtifact, cwd: string): View {
  return {
    quiet: artifact.path,
    blocks: [
      lines(
        `${shown(cwd, artifact.path)}  ${artifact.format}  ${formatBytes(artifact.bytes)}${artifact.sha256 ? `  sha256:${artifact.sha256}` : ""}`,
      ),
      table(
        ["entry", "size", "stored", "method"],
        artifact.entries.map((e) => [e.name, formatBytes(e.size), formatBytes(e.compressedSize), e.method]),
        [1, 2],
      ),
    ],
  };
}

export function deployView(result: DeployResult): View {
  return {
    quiet: `${result.name}:${result.version}`,
    blocks: [
      fields(`${result.name}:${result.version}  ${result.status}  on ${result.server}`, [
        [
          "workers",
          `${result.workers.ready}/${result.workers.wanted} READY (min ${result.workers.min}, max ${result.workers.max})`,
        ],
        ["devices", result.devices],
        [
          "default",
          result.isDefault
            ? "yes"
            : `no (make it the default: mserve set-default ${result.name} ${result.version})`,
        ],
        ["archive", `${result.storeFile}  sha256:${result.sha256}`],
        ["predict", `mserve predict ${result.name} ${result.version} --data '…'`],
      ]),
    ],
  };
}

export function modelsView(
  models: ModelView[],
  described: string | undefined,
  ready: (m: ModelView) => ReturnType<typeof readiness>,
): View {
  if (models.length === 0)
    return { blocks: [lines("no models registered (deploy one with `mserve deploy`)")], quiet: "" };
  const workersCell = (m: ModelView) => {
    const { ready: n } = ready(m);
    return `${n}/${m.workers.length} READY (min ${m.minWorkers}, max ${m.maxWorkers})`;
  };
  const overview = table(
    ["NAME", "VERSION", "DEFAULT", "WORKERS", "DEVICES", "BATCH", "ARCHIVE"],
    models.map((m) => [
      m.modelName,
      m.modelVersion,
      m.isDefault ? "*" : "",
      workersCell(m),
      placementSummary(m.workers),
      `${m.batchSize}/${m.maxBatchDelay}ms`,
      m.modelUrl,
    ]),
  );
  if (!described) return { blocks: [overview] };
  // Describing one model: also show each worker, as `kubectl describe` would.
  const workers = models.flatMap((m) =>
    m.workers.map((w) => [
      `${m.modelName}:${m.modelVersion}`,
      w.id,
      w.status,
      deviceCell(w),
      String(w.pid ?? ""),
      // TorchServe reports 0 until it has sampled the worker; show nothing rather than "0 MiB".
      w.memoryUsage ? `${Math.round(w.memoryUsage / 1024 / 1024)} MiB` : "",
      w.startTime ?? "",
    ]),
  );
  return {
    blocks: [
      overview,
      workers.length === 0
        ? lines(`no workers: add some with \`mserve scale ${described} --min 1\``)
        : table(["VERSION", "WORKER", "STATUS", "DEVICE", "PID", "MEMORY", "STARTED"], workers),
    ],
  };
}

/** "gpu 0 (678 MiB used, 3 %)" or "cpu". */
function deviceCell(worker: ModelView["workers"][number]): string {
  const p = workerPlacement(worker);
  const usage = [p.gpuMemoryUsed && `${p.gpuMemoryUsed} used`, p.gpuUtilization].filter(Boolean).join(", ");
  return usage ? `${p.device} (${usage})` : p.device;
}

export const unregisterView = (result: UnregisterResult): View => ({
  blocks: [lines(`unregistered ${result.name}:${result.version}`)],
});

export function inspectView(report: InspectReport, cwd: string, quiet: boolean): View {
  const m = report.manifest?.model as Record<string, string> | undefined;
  return {
    blocks: [
      lines(
        `${relative(cwd, report.path) || report.path}  ${report.kind}  ${formatBytes(report.bytes)}${report.sha256 ? `  sha256:${report.sha256}` : ""}`,
        m
          ? `model ${m.modelName ?? "?"} version ${m.modelVersion ?? "?"}  handler ${m.handler ?? "?"}  runtime ${String(report.manifest?.runtime ?? "?")}`
          : "no MAR-INF/MANIFEST.json",
      ),
      ...(report.manifest && !quiet ? [lines(JSON.stringify(report.manifest, null, 2))] : []),
      table(
        ["entry", "size", "stored", "method"],
        report.entries.map((e) => [e.name, formatBytes(e.size), formatBytes(e.compressedSize), e.method]),
        [1, 2],
      ),
      lines(`${report.entries.length} entries, ${formatBytes(report.totalSize)} uncompressed`),
    ],
  };
}
