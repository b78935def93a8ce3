import { relative } from "node:path";
import type { IndexEntry, ModelMetadata } from "../../protocols/v2/client.js";
import { fields, lines, table, type View } from "../../ui/view.js";
import type { MlserverDeployResult } from "./deploy.js";
import type { MlserverPackageResult } from "./package.js";

/** How MLServer results read as text; the adapter pairs each with its JSON data. */

export const shownPath = (cwd: string, path: string) => {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
};

export const packagedView = (result: MlserverPackageResult, cwd: string): View => ({
  quiet: result.path,
  blocks: [
    lines(
      `${shownPath(cwd, result.path)}: ${result.model} version ${result.version} ${result.status} (${result.files.join(", ")})`,
      `  implementation  ${result.settings.implementation}`,
    ),
  ],
});

export const deployedView = (result: MlserverDeployResult): View => ({
  quiet: result.name,
  blocks: [
    fields(`${result.name}  READY  on ${result.server}`, [
      ["versions", result.placed.map((p) => `${p.version} (${p.status})`).join(", ")],
      ["repository", result.repository],
      ["predict", `mserve predict ${result.name}:${result.versions.at(-1)} --target mlserver --data '…'`],
    ]),
  ],
});

export function modelsView(models: IndexEntry[], name: string | undefined, metadata?: ModelMetadata): View {
  if (models.length === 0)
    return {
      blocks: [
        lines(
          name
            ? `${name} is not in the repository`
            : "the repository is empty (deploy one with `mserve deploy --target mlserver`)",
        ),
      ],
    };
  const index = table(
    ["NAME", "VERSION", "STATE", "REASON"],
    models.map((m) => [m.name, m.version ?? "", m.state ?? "", (m.reason ?? "").split("\n")[0] ?? ""]),
  );
  if (!metadata) return { blocks: [index] };
  const tensors = [
    ...metadata.inputs.map((t) => ["input", t.name, t.datatype, `[${t.shape}]`]),
    ...metadata.outputs.map((t) => ["output", t.name, t.datatype, `[${t.shape}]`]),
  ];
  return { blocks: tensors.length ? [index, table(["", "TENSOR", "DATATYPE", "SHAPE"], tensors)] : [index] };
}
