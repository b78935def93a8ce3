import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { registryRmSpec } from "../cli/specs/registry.js";
import { usageError } from "../errors.js";
import { parseRef, resolveRef } from "../registry/resolve.js";
import { confirm } from "../ui/confirm.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof registryRmSpec> = async ({ args, options }, ctx) => {
  const { currentActor, withRegistry } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const spec = parseRef(args[0], args[1], options.id);
  if (spec.kind === "name") {
    throw usageError(
      `say which version of ${spec.name} to remove`,
      `e.g. mserve registry rm ${spec.name}:1 (see mserve registry list ${spec.name})`,
    );
  }
  const removed = await withRegistry(registryAt(ctx, options.registry), async (registry) => {
    const { name, version } = await resolveRef(registry, spec);
    await confirm(ctx, `remove ${name}:${version} from ${registry.label}`, options.yes);
    return registry.remove(name, version, { by: currentActor(ctx.env), reason: options.reason });
  });
  ui.result({ removed }, () => `removed ${removed.name}:${removed.version} (id ${removed.id})`);
};
