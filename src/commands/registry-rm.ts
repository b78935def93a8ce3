import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { usageError } from "../errors.js";
import { currentActor } from "../registry/open.js";
import { parseRef, resolveRef } from "../registry/resolve.js";
import { confirm } from "../ui/confirm.js";
import { createUi } from "../ui/output.js";
import { withRegistry } from "./support/registry.js";

const flagsSchema = z.object({
  id: z.string().optional(),
  yes: z.boolean().optional(),
  reason: z.string().optional(),
});

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const spec = parseRef(positional[0], positional[1], flags.id);
  if (spec.kind === "name") {
    throw usageError(
      `say which version of ${spec.name} to remove`,
      `e.g. mserve registry rm ${spec.name}:1 (see mserve registry list ${spec.name})`,
    );
  }
  const removed = await withRegistry(rawOptions, ctx, async (registry) => {
    const { name, version } = await resolveRef(registry, spec);
    await confirm(ctx, `remove ${name}:${version} from ${registry.label}`, flags.yes);
    return registry.remove(name, version, { by: currentActor(ctx.env), reason: flags.reason });
  });
  ui.result({ removed }, () => `removed ${removed.name}:${removed.version} (id ${removed.id})`);
};
