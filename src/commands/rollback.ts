import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { rollbackSpec } from "../cli/specs/registry.js";
import { checkName } from "../registry/resolve.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof rollbackSpec> = async ({ args, options }, ctx) => {
  const { currentActor, withRegistry } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const name = checkName(args[0] as string);
  const event = await withRegistry(registryAt(ctx, options.registry), (registry) =>
    registry.rollback(name, options.alias, { by: currentActor(ctx.env), reason: options.reason }),
  );
  ui.result(
    { name, ...event },
    () => `${name}@${options.alias} → ${event.version} (rolled back from ${event.previous})`,
  );
};
