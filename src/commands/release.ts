import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { releaseSpec } from "../cli/specs/registry.js";
import { openSession } from "../cli/target-session.js";
import { usageError } from "../errors.js";
import { checkAlias } from "../registry/names.js";
import { currentActor, withRegistry } from "../registry/open.js";
import { parseRef } from "../registry/resolve.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof releaseSpec> = async ({ args: [model, second], options }, ctx) => {
  const ui = createUi(ctx);
  const alias = checkAlias(options.as);
  const spec = parseRef(model, second);
  if (spec.kind !== "version" && spec.kind !== "pair") {
    throw usageError(
      "say which version to release",
      `e.g. mserve release ${"name" in spec ? spec.name : "intent"} 3 --as ${alias}`,
    );
  }
  const version = spec.kind === "pair" ? spec.word : spec.version;
  if (options.target) {
    const session = await openSession("release", options, ctx, { defaultTimeout: "30s", needsServer: false });
    // A server that keeps labels itself (TF Serving's models.config) is released there.
    if (session.adapter.release) {
      ui.show(
        await session.adapter.release({ name: spec.name, version, alias: options.as, options, cwd: ctx.cwd }),
      );
      return;
    }
  }
  const { event, changed } = await withRegistry(registryAt(ctx, options.registry), (registry) =>
    registry.release(spec.name, version, alias, { by: currentActor(ctx.env), reason: options.reason }),
  );
  ui.result({ changed, ...event, name: spec.name }, () =>
    changed
      ? `${spec.name}@${alias} → ${version}${event.previous ? ` (was ${event.previous})` : ""}`
      : `${spec.name}@${alias} already points at ${version}; nothing changed`,
  );
};
