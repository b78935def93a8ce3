import { resolve } from "node:path";
import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { usageError } from "../errors.js";
import { checkAlias } from "../registry/names.js";
import { currentActor } from "../registry/open.js";
import { parseRef } from "../registry/resolve.js";
import { createUi } from "../ui/output.js";
import { withRegistry } from "./support/registry.js";

const flagsSchema = z.object({
  as: z.string(),
  reason: z.string().optional(),
  target: z.literal("tfserving").optional(),
  base: z.string().optional(),
});

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const alias = checkAlias(flags.as);
  const spec = parseRef(positional[0], positional[1]);
  if (spec.kind !== "version" && spec.kind !== "pair") {
    throw usageError(
      "say which version to release",
      `e.g. mserve release ${"name" in spec ? spec.name : "intent"} 3 --as ${alias}`,
    );
  }
  const version = spec.kind === "pair" ? spec.word : spec.version;
  if (flags.target === "tfserving") {
    // TF Serving keeps its labels in models.config, where the server reads them.
    const { moveVersionLabel } = await import("../targets/tfserving/labels.js");
    const moved = await moveVersionLabel(
      resolve(ctx.cwd, flags.base ?? "models"),
      spec.name,
      flags.as,
      version,
    );
    ui.result(
      moved,
      () =>
        `${moved.name}@${moved.label} → ${moved.version}${moved.previous !== undefined ? ` (was ${moved.previous})` : ""} in ${moved.modelsConfig}`,
    );
    return;
  }
  const { event, changed } = await withRegistry(rawOptions, ctx, (registry) =>
    registry.release(spec.name, version, alias, { by: currentActor(ctx.env), reason: flags.reason }),
  );
  ui.result({ changed, ...event, name: spec.name }, () =>
    changed
      ? `${spec.name}@${alias} → ${version}${event.previous ? ` (was ${event.previous})` : ""}`
      : `${spec.name}@${alias} already points at ${version}; nothing changed`,
  );
};
