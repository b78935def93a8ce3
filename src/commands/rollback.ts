import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { currentActor } from "../registry/open.js";
import { checkName } from "../registry/resolve.js";
import { createUi } from "../ui/output.js";
import { withRegistry } from "./support/registry.js";

const flagsSchema = z.object({ alias: z.string(), reason: z.string().optional() });

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const name = checkName(positional[0] as string);
  const event = await withRegistry(rawOptions, ctx, (registry) =>
    registry.rollback(name, flags.alias, { by: currentActor(ctx.env), reason: flags.reason }),
  );
  ui.result(
    { name, ...event },
    () => `${name}@${flags.alias} → ${event.version} (rolled back from ${event.previous})`,
  );
};
