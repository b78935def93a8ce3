import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { parseDuration } from "../config/duration.js";
import { usageError } from "../errors.js";
import { type StopOutcome, serverStatuses, stopServer } from "../runtime/servers.js";
import { createUi } from "../ui/output.js";

const flagsSchema = z.object({ all: z.boolean().optional(), timeout: z.string().default("20s") });

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const [name] = positional;
  if (name && flags.all) throw usageError("give a server name or --all, not both");
  const graceMs = parseDuration(flags.timeout);
  let names: string[];
  if (flags.all) {
    names = (await serverStatuses(ctx.env)).servers.map((s) => s.record.name);
  } else {
    names = [name ?? "torchserve"];
  }
  const outcomes: StopOutcome[] = [];
  for (const server of names) outcomes.push(await stopServer(ctx.env, server, graceMs));
  const said = {
    stopped: "stopped",
    forced: "killed after the grace period",
    stale: "was not running; record removed",
  };
  ui.result({ stopped: outcomes }, () =>
    outcomes.length === 0
      ? "no servers recorded"
      : outcomes.map((o) => `${o.name}: ${said[o.result]}`).join("\n"),
  );
};
