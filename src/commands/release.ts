import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { releaseSpec } from "../cli/specs/registry.js";
import { openSession } from "../cli/target-session.js";
import { usageError } from "../errors.js";
import { aliasKey, checkAlias } from "../registry/names.js";
import { parseRef } from "../registry/resolve.js";
import type { ReleaseResult } from "../registry/types.js";
import type { Outcome } from "../targets/target.js";
import { createUi } from "../ui/output.js";

const releasedText = (name: string, r: ReleaseResult) =>
  r.changed
    ? `${name}@${r.alias} → ${r.version}${r.previous ? ` (was ${r.previous})` : ""}`
    : `${name}@${r.alias} already points at ${r.version}; nothing changed`;

export const run: CommandRun<typeof releaseSpec> = async ({ args: [model, second], options }, ctx) => {
  const { currentActor, withRegistry } = await import("../registry/open.js");
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
  const session = options.target
    ? await openSession("release", options, ctx, { defaultTimeout: "30s", needsServer: false })
    : undefined;
  // A server that keeps labels itself (TF Serving's models.config) moves its label with the alias.
  const serverRelease = session?.adapter.release?.bind(session.adapter);
  await withRegistry(registryAt(ctx, options.registry), async (registry) => {
    const entry = serverRelease ? await registry.model(spec.name) : undefined;
    if (serverRelease && !entry) {
      // A model only the server knows: its label is the whole release.
      const { undo: _, ...labelled } = await serverRelease({
        name: spec.name,
        version,
        alias,
        options,
        cwd: ctx.cwd,
      });
      ui.show(labelled);
      return;
    }
    // The label first (a local file, restorable byte for byte), then the registry;
    // a failed registry step puts the label back, so both move or neither does.
    let labelled: (Outcome & { undo?: () => Promise<void> }) | undefined;
    if (serverRelease) {
      const stored = (entry && aliasKey(entry.aliases, alias)) ?? alias;
      labelled = await serverRelease({ name: spec.name, version, alias: stored, options, cwd: ctx.cwd });
    }
    let released: ReleaseResult;
    try {
      released = await registry.release(spec.name, version, alias, {
        by: currentActor(ctx.env),
        reason: options.reason,
      });
    } catch (error) {
      await labelled?.undo?.();
      throw error;
    }
    // A no-op has no event: no seq and no time that would match nothing in the history.
    const { event, ...rest } = released;
    ui.result(
      { name: spec.name, ...(event ?? {}), ...rest, ...(labelled ? { label: labelled.data } : {}) },
      () =>
        [
          releasedText(spec.name, released),
          ...(labelled ? [`server label: ${summaryOf(labelled)}`] : []),
        ].join("\n"),
    );
  });
};

const summaryOf = (outcome: Outcome) => {
  const data = outcome.data as { modelsConfig?: string; label?: string; version?: number };
  return `${data.label} → ${data.version} in ${data.modelsConfig}`;
};
