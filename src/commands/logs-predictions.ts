import type { CommandRun } from "../cli/command.js";
import type { logsSpec } from "../cli/specs/servers.js";
import { parseDuration } from "../config/duration.js";
import { usageError } from "../errors.js";
import { queryPredictions } from "../predict/log.js";
import { formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";

/** `--since 2h` (a duration back from now) or `--since 2026-11-24` / an ISO time. */
export function parseSince(text: string, now = Date.now()): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const date = new Date(text);
    // Date rolls 2026-02-30 over into March: a day that does not exist is a typo, refused.
    const day = text.slice(0, 10);
    const midnight = new Date(`${day}T00:00:00Z`);
    const dayExists = !Number.isNaN(midnight.getTime()) && midnight.toISOString().slice(0, 10) === day;
    if (!Number.isNaN(date.getTime()) && dayExists) return date;
    throw usageError(
      `invalid --since date "${text}"`,
      "Use e.g. 2026-11-24, 2026-11-24T10:00:00Z or a duration such as 2h or 7d.",
    );
  }
  const ms = parseDuration(text, "--since");
  if (ms <= 0) {
    throw usageError(
      `--since ${text} is no time at all`,
      "Leave --since out for the whole log, or give e.g. 2h or 7d.",
    );
  }
  return new Date(now - ms);
}

const short = (value: unknown) => {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

export const run: CommandRun<typeof logsSpec> = async ({ options }, ctx) => {
  const ui = createUi(ctx);
  const limit = options.tail ?? 100;
  const { records, matched } = await queryPredictions(ctx.env, {
    model: options.model,
    group: options.group,
    since: options.since ? parseSince(options.since) : undefined,
    limit,
  });
  ui.result({ matched, shown: records.length, predictions: records }, () =>
    records.length === 0
      ? "no logged predictions match"
      : `${formatTable(
          ["TIME", "REQUEST ID", "MODEL", "ALIAS", "STATUS", "MS", "OUTPUT", "FEEDBACK"],
          records.map((r) => [
            r.at,
            r.requestId,
            `${r.name}${r.version ? `:${r.version}` : ""}`,
            r.alias ?? "",
            r.status === "ok" ? String(r.httpStatus ?? "ok") : (r.error?.code ?? "error"),
            String(r.latencyMs),
            r.status === "ok" ? short(r.output) : short(r.error?.message),
            r.feedback
              ? `${r.feedback.label}${r.feedback.comment ? ` (${short(r.feedback.comment)})` : ""}`
              : "",
          ]),
          [5],
        )}${matched > records.length ? `\n(${matched - records.length} older match(es) not shown; raise --tail)` : ""}`,
  );
};
