import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { registryPushSpec } from "../cli/specs/registry.js";
import { describePush, parseTags } from "../registry/push-input.js";
import { formatBytes } from "../ui/format.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof registryPushSpec> = async ({ args, options }, ctx) => {
  const { currentActor, withRegistry } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const input = await describePush(
    args[0],
    ctx.cwd,
    {
      name: options.name,
      version: options.version,
      description: options.description,
      tags: parseTags(options.tag),
    },
    { env: ctx.env, signal: ctx.signal },
  );
  const result = await withRegistry(registryAt(ctx, options.registry), (registry) =>
    registry.push(input, { by: currentActor(ctx.env) }),
  ).finally(() => input.cleanup());
  const v = result.version;
  ui.result({ status: result.status, storedBytes: result.storedBytes, ...v }, () =>
    ctx.quiet
      ? v.id
      : [
          `${v.name}:${v.version}  ${result.status === "created" ? "pushed" : "already in the registry with the same content"}`,
          `  id        ${v.id}`,
          `  kind      ${v.kind} (${v.target})`,
          `  artifact  ${v.format} ${formatBytes(v.artifact.size)} sha256:${v.artifact.sha256}${result.status === "created" && result.storedBytes === 0 ? " (content already stored)" : ""}`,
          ...(v.artifact.digest ? [`  digest    ${v.artifact.digest}`] : []),
          `  release   mserve release ${v.name} ${v.version} --as STG`,
        ].join("\n"),
  );
};
