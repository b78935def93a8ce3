import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { registryListSpec } from "../cli/specs/registry.js";
import { unknownModel } from "../registry/errors.js";
import { compareVersions } from "../registry/names.js";
import { checkName } from "../registry/resolve.js";
import { formatBytes, formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";

const aliasText = (aliases: Record<string, string>) =>
  Object.entries(aliases)
    .map(([a, v]) => `${a}→${v}`)
    .join(" ");

export const run: CommandRun<typeof registryListSpec> = async ({ args, options }, ctx) => {
  const { withRegistry } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const name = args[0] === undefined ? undefined : checkName(args[0]);
  await withRegistry(registryAt(ctx, options.registry), async (registry) => {
    if (!name) {
      const models = await registry.models();
      ui.result({ registry: registry.label, models }, () =>
        models.length === 0
          ? "the registry is empty; add a model with `mserve registry push dist/<name>.mar`"
          : formatTable(
              ["NAME", "VERSIONS", "LATEST", "ALIASES", "UPDATED"],
              models.map((m) => [
                m.name,
                String(m.versions),
                m.latest ?? "",
                aliasText(m.aliases),
                m.updatedAt ?? "",
              ]),
              [1],
            ),
      );
      return;
    }
    const entry = await registry.model(name);
    if (!entry)
      throw unknownModel(
        name,
        (await registry.models()).map((m) => m.name),
      );
    const aliasesOf = (version: string) =>
      Object.entries(entry.aliases)
        .filter(([, a]) => a.version === version)
        .map(([a]) => a);
    const versions = [...entry.versions]
      .sort((a, b) => compareVersions(a.version, b.version))
      .map((v) => ({ ...v, aliases: aliasesOf(v.version) }));
    ui.result({ registry: registry.label, name, versions }, () =>
      formatTable(
        ["VERSION", "ID", "ALIASES", "KIND", "SIZE", "CREATED", "BY"],
        versions.map((v) => [
          v.version,
          v.id,
          v.aliases.join(","),
          v.kind,
          formatBytes(v.artifact.size),
          v.createdAt,
          v.createdBy,
        ]),
        [4],
      ),
    );
  });
};
