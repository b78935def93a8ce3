import type { CommandRun } from "../cli/command.js";
import type { stopSpec } from "../cli/specs/servers.js";
import { parseDuration } from "../config/duration.js";
import { usageError } from "../errors.js";
import { defaultServerName, type StopOutcome, serverStatuses, stopServer } from "../runtime/servers.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof stopSpec> = async ({ args, options }, ctx) => {
  const ui = createUi(ctx);
  const [name] = args;
  if (name && options.all) throw usageError("give a server name or --all, not both");
  const graceMs = parseDuration(options.timeout);
  let names: string[];
  if (options.all) {
    names = (await serverStatuses(ctx.env)).servers.map((s) => s.record.name);
  } else {
    names = [name ?? (await defaultServerName(ctx.env))];
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
