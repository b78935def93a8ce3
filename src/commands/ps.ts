import type { CommandRun } from "../cli/command.js";
import type { psSpec } from "../cli/specs/servers.js";
import { serverStatuses } from "../runtime/servers.js";
import { formatDuration, formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof psSpec> = async (_input, ctx) => {
  const ui = createUi(ctx);
  const { servers, problems } = await serverStatuses(ctx.env);
  for (const problem of problems) ui.warn(problem);
  const now = Date.now();
  const rows = servers.map(({ record, state }) => ({
    name: record.name,
    target: record.target,
    runtime: record.runtime,
    state,
    id: record.pid ? String(record.pid) : (record.containerId ?? "").slice(0, 12),
    // Triton serves inference and its repository API on one HTTP port.
    inference: record.urls.inference ?? record.urls.http,
    management: record.urls.management ?? record.urls.http,
    metrics: record.urls.metrics,
    modelStore: record.modelStore,
    tokenAuth: record.tokenAuth,
    startedAt: record.startedAt,
  }));
  ui.result({ servers: rows }, () => {
    if (rows.length === 0) return ctx.quiet ? "" : "no servers (start one with `mserve serve`)";
    const table = formatTable(
      ["NAME", "TARGET", "RUNTIME", "STATE", "PID/ID", "INFERENCE", "MANAGEMENT", "UP"],
      rows.map((r) => [
        r.name,
        r.target,
        r.runtime,
        r.state === "running" ? r.state : ui.out.yellow(`${r.state} (stale record)`),
        r.id,
        r.inference ?? "",
        r.management ?? "",
        r.state === "running" ? formatDuration(now - Date.parse(r.startedAt)) : "-",
      ]),
    );
    const stale = rows.filter((r) => r.state !== "running").length;
    return stale > 0 && !ctx.quiet
      ? `${table}\n\n${stale} stale record(s): \`mserve stop NAME\` removes them.`
      : table;
  });
};
