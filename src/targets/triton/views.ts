import { relative } from "node:path";
import type { IndexEntry, ModelMetadata } from "../../protocols/v2/client.js";
import { fields, lines, table, type View } from "../../ui/view.js";
import type { TritonDeployResult } from "./deploy.js";
import { describeInstanceGroups, type InstanceGroups } from "./gpu-groups.js";
import type { TritonPackageResult } from "./package.js";

/** How Triton results read as text; the adapter pairs each with its JSON data. */

/** A path relative to the current folder when it is inside it, else absolute. */
export const shownPath = (cwd: string, path: string) => {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
};

export const packagedView = (result: TritonPackageResult, cwd: string): View => ({
  quiet: `${result.repository}/${result.model}/${result.version}`,
  blocks: [
    lines(
      `${shownPath(cwd, `${result.repository}/${result.model}`)}: version ${result.version} ${result.status}, config.pbtxt ${result.configStatus} (${result.files.join(", ") || "an ensemble: empty version folder"})`,
    ),
  ],
});

export const deployedView = (result: TritonDeployResult & { smoke?: unknown }): View => ({
  quiet: result.name,
  blocks: [
    fields(`${result.name}  READY  on ${result.server}`, [
      ["versions", result.versions.join(", ")],
      ["repository", result.repository],
      ["instances", result.instances ? describeInstanceGroups(result.instances) : undefined],
      ["smoke", result.smoke === undefined ? undefined : JSON.stringify(result.smoke)],
      ["predict", `mserve predict ${result.name} --target triton --data '…'`],
    ]),
  ],
});

export function modelsView(
  models: IndexEntry[],
  name: string | undefined,
  metadata?: ModelMetadata,
  instances: Record<string, InstanceGroups> = {},
): View {
  if (models.length === 0)
    return {
      blocks: [
        lines(
          name
            ? `${name} is not in the repository`
            : "the repository is empty (deploy one with `mserve deploy --target triton`)",
        ),
      ],
    };
  const index = table(
    ["NAME", "VERSION", "STATE", "INSTANCES", "REASON"],
    models.map((m) => [
      m.name,
      m.version ?? "",
      m.state ?? "(not loaded)",
      m.state === "READY" ? describeInstanceGroups(instances[m.name]) : "",
      (m.reason ?? "").split("\n")[0] ?? "",
    ]),
  );
  if (!metadata) return { blocks: [index] };
  const tensors = [
    ...metadata.inputs.map((t) => ["input", t.name, t.datatype, `[${t.shape}]`]),
    ...metadata.outputs.map((t) => ["output", t.name, t.datatype, `[${t.shape}]`]),
  ];
  return { blocks: [index, table(["", "TENSOR", "DATATYPE", "SHAPE"], tensors)] };
}
