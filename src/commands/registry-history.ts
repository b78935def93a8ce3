import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { checkName } from "../registry/resolve.js";
import type { AliasEvent } from "../registry/types.js";
import { formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { withRegistry } from "./support/registry.js";

const flagsSchema = z.object({ alias: z.string().optional() });

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

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const name = checkName(positional[0] as string);
  const events = await withRegistry(rawOptions, ctx, async (registry) => {
    const all: AliasEvent[] = [];
    for await (const event of registry.history(name, flags.alias)) all.push(event);
    return all;
  });
  ui.result({ name, ...(flags.alias ? { alias: flags.alias } : {}), events }, () =>
    formatTable(
      ["#", "WHEN", "ACTION", "CHANGE", "BY", "REASON"],
      events.map((e) => [String(e.seq), e.at, e.action, what(e), e.by, e.reason ?? ""]),
      [0],
    ),
  );
};
