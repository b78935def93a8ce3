import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { registryHistorySpec } from "../cli/specs/registry.js";
import { checkName } from "../registry/resolve.js";
import type { AliasEvent } from "../registry/types.js";
import { formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";

const what = (e: AliasEvent) => {
  switch (e.action) {
    case "push":
      return `pushed ${e.version}`;
    case "remove":
      return `removed ${e.version}`;
    default:
      return `${e.alias} → ${e.version}${e.previous ? ` (was ${e.previous})` : ""}`;
  }
};

export const run: CommandRun<typeof registryHistorySpec> = async ({ args, options }, ctx) => {
  const { withRegistry } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const name = checkName(args[0] as string);
  const events = await withRegistry(registryAt(ctx, options.registry), async (registry) => {
    const all: AliasEvent[] = [];
    for await (const event of registry.history(name, options.alias)) all.push(event);
    return all;
  });
  ui.result({ name, ...(options.alias ? { alias: options.alias } : {}), events }, () =>
    formatTable(
      ["#", "WHEN", "ACTION", "CHANGE", "BY", "REASON"],
      events.map((e) => [String(e.seq), e.at, e.action, what(e), e.by, e.reason ?? ""]),
      [0],
    ),
  );
};
