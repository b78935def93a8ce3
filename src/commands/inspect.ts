import { relative } from "node:path";
import type { CommandRun } from "../command-tree.js";
import { inspectArtifact } from "../targets/torchserve/read-artifact.js";
import { formatBytes, formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun = async ([path], _options, ctx) => {
  const ui = createUi(ctx);
  const report = await inspectArtifact(path as string, ctx.cwd);
  ui.result(report, () => {
    const m = report.manifest?.model as Record<string, string> | undefined;
    const lines = [
      `${relative(ctx.cwd, report.path) || report.path}  ${report.kind}  ${formatBytes(report.bytes)}${report.sha256 ? `  sha256:${report.sha256}` : ""}`,
      m
        ? `model ${m.modelName ?? "?"} version ${m.modelVersion ?? "?"}  handler ${m.handler ?? "?"}  runtime ${String(report.manifest?.runtime ?? "?")}`
        : "no MAR-INF/MANIFEST.json",
    ];
    if (report.manifest && !ctx.quiet) lines.push("", JSON.stringify(report.manifest, null, 2));
    lines.push(
      "",
      formatTable(
        ["entry", "size", "stored", "method"],
        report.entries.map((e) => [e.name, formatBytes(e.size), formatBytes(e.compressedSize), e.method]),
        [1, 2],
      ),
      `${report.entries.length} entries, ${formatBytes(report.totalSize)} uncompressed`,
    );
    return lines.join("\n");
  });
};
