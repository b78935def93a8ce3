import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { currentActor } from "../registry/open.js";
import { describePush, parseTags } from "../registry/push-input.js";
import { formatBytes } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { withRegistry } from "./support/registry.js";

const flagsSchema = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  tag: z.array(z.string()).optional(),
});

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const input = await describePush(positional[0] as string, ctx.cwd, {
    ...flags,
    tags: parseTags(flags.tag),
  });
  const result = await withRegistry(rawOptions, ctx, (registry) =>
    registry.push(input, { by: currentActor(ctx.env) }),
  );
  const v = result.version;
  ui.result({ status: result.status, storedBytes: result.storedBytes, ...v }, () =>
    ctx.quiet
      ? v.id
      : [
          `${v.name}:${v.version}  ${result.status === "created" ? "pushed" : "already in the registry with the same content"}`,
          `  id        ${v.id}`,
          `  artifact  ${v.format} ${formatBytes(v.artifact.size)} sha256:${v.artifact.sha256}${result.status === "created" && result.storedBytes === 0 ? " (content already stored)" : ""}`,
          `  release   mserve release ${v.name} ${v.version} --as STG`,
        ].join("\n"),
  );
};
