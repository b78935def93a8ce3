import { relative } from "node:path";
import { formatBytes } from "../../ui/format.js";
import { lines, table, type View } from "../../ui/view.js";
import type { TfServingPackageResult } from "./package.js";
import type { TensorSpec } from "./saved-model-proto.js";
import type { TfServingReport } from "./validate.js";

/** A path relative to the current folder when it is inside it, else absolute. */
export const shownPath = (cwd: string, path: string) => {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
};

export const packagedView = (result: TfServingPackageResult, shown: (path: string) => string): View => ({
  quiet: result.path,
  blocks: [
    lines(
      `${shown(result.path)}  ${result.status}`,
      `  models.config  ${shown(result.modelsConfig)}`,
      `  served         ${result.served.join(", ")}`,
      ...(Object.keys(result.labels).length
        ? [
            `  labels         ${Object.entries(result.labels)
              .map(([l, v]) => `${l}→${v}`)
              .join(" ")}`,
          ]
        : []),
    ),
  ],
});

/** `mserve inspect` of a base folder or SavedModel: each version, then each signature's tensors. */
export function inspectView(report: TfServingReport, shown: (path: string) => string): View {
  const signatures = report.versions.flatMap((v) =>
    (v.metaGraphs ?? []).flatMap((g) =>
      g.signatures.flatMap((s) =>
        [
          ...Object.entries(s.inputs).map(([n, t]) => ["input", n, t]),
          ...Object.entries(s.outputs).map(([n, t]) => ["output", n, t]),
        ].map(([io, n, t]) => {
          const spec = t as TensorSpec;
          return [
            versionLabel(v.version),
            s.key,
            io as string,
            n as string,
            spec.dtype ?? "",
            `[${(spec.shape ?? []).join(",")}]`,
          ];
        }),
      ),
    ),
  );
  // A bare SavedModel folder is not a numbered version: TF Serving would not serve it as one.
  function versionLabel(version: number) {
    return report.kind === "saved-model" ? "-" : String(version);
  }
  return {
    blocks: [
      lines(
        `${shown(report.path)}  tfserving ${report.kind}${report.served !== undefined ? `  serves version ${report.served}` : ""}`,
      ),
      table(
        ["VERSION", "FILES", "BYTES", "VARIABLES", "TAGS", "WARMUP"],
        report.versions.map((v) => [
          versionLabel(v.version),
          String(v.files),
          formatBytes(v.bytes),
          v.variables.index ? `${v.variables.shards} shard(s)` : "none",
          (v.metaGraphs ?? []).map((g) => g.tags.join("+")).join(", "),
          v.warmup ? "yes" : "",
        ]),
        [1, 2],
      ),
      ...(signatures.length
        ? [table(["VERSION", "SIGNATURE", "", "TENSOR", "DTYPE", "SHAPE"], signatures)]
        : []),
    ],
  };
}
