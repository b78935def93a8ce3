import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { registryShowSpec } from "../cli/specs/registry.js";
import { parseRef, resolveRef } from "../registry/resolve.js";
import { formatBytes } from "../ui/format.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof registryShowSpec> = async ({ args, options }, ctx) => {
  const { withRegistry } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const spec = parseRef(args[0], args[1], options.id);
  const shown = await withRegistry(registryAt(ctx, options.registry), async (registry) => {
    const resolved = await resolveRef(registry, spec);
    const entry = await registry.model(resolved.name);
    const aliases = Object.entries(entry?.aliases ?? {})
      .filter(([, a]) => a.version === resolved.version)
      .map(([alias, a]) => ({ alias, since: a.at, by: a.by }));
    return {
      ...resolved.model,
      aliases,
      location: registry.location(resolved.model),
      registry: registry.label,
    };
  });
  ui.result(shown, () =>
    [
      `${shown.name}:${shown.version}`,
      `  id           ${shown.id}`,
      `  aliases      ${shown.aliases.map((a) => `${a.alias} (since ${a.since} by ${a.by})`).join(", ") || "none"}`,
      `  kind         ${shown.kind} (target ${shown.target}, ${shown.format})`,
      `  artifact     ${shown.location}`,
      `  sha256       ${shown.artifact.sha256}`,
      ...(shown.artifact.digest ? [`  digest       ${shown.artifact.digest}`] : []),
      `  size         ${formatBytes(shown.artifact.size)}`,
      `  created      ${shown.createdAt} by ${shown.createdBy}`,
      ...(shown.description ? [`  description  ${shown.description}`] : []),
      ...(shown.source ? [`  source       ${shown.source}`] : []),
      ...Object.entries(shown.tags).map(
        ([k, v], i) => `  ${i === 0 ? "tags        " : "            "} ${k}=${v}`,
      ),
    ].join("\n"),
  );
};
