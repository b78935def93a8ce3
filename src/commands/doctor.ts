import type { CommandRun } from "../command-tree.js";
import { type CheckResult, runChecks } from "../doctor/checks.js";
import { createExec } from "../doctor/exec.js";
import { invalidInput } from "../errors.js";
import { formatTable } from "../ui/format.js";
import { createUi, type Ui } from "../ui/output.js";

export const run: CommandRun = async (_positional, _options, ctx) => {
  const ui = createUi(ctx);
  const checks = await runChecks({
    env: ctx.env,
    cwd: ctx.cwd,
    nodeVersion: process.versions.node,
    exec: createExec(ctx.env, { signal: ctx.signal }),
  });
  const failed = checks.filter((c) => c.status === "fail");
  if (failed.length > 0) {
    // Exactly one JSON document on stdout: with -o json cli.ts prints this error, carrying the checks.
    if (ctx.output === "text") ctx.stdout.write(`${renderText(checks, ui)}\n`);
    throw invalidInput(
      `${failed.length} doctor check(s) failed: ${failed.map((c) => c.id).join(", ")}`,
      "Apply the fixes listed above, then run `mserve doctor` again.",
      { ok: false, checks },
    );
  }
  ui.result({ ok: true, checks }, () => renderText(checks, ui));
};

const PAINT = { pass: "green", warn: "yellow", fail: "red" } as const;

function renderText(checks: CheckResult[], ui: Ui): string {
  const table = formatTable(
    ["check", "status", "detail"],
    checks.map((c) => [c.title, c.status, c.detail]),
  );
  // Colour goes on after padding: formatTable would count the escape codes as width.
  const statusColumn = Math.max("check".length, ...checks.map((c) => c.title.length)) + 2;
  const lines = table.split("\n").map((line, i) => {
    const check = checks[i - 1];
    if (!check) return line;
    const end = statusColumn + check.status.length;
    return line.slice(0, statusColumn) + ui.out[PAINT[check.status]](check.status) + line.slice(end);
  });
  const fixes = checks.filter((c) => c.status !== "pass" && c.fix).map((c) => `  ${c.title}: ${c.fix}`);
  return [...lines, ...(fixes.length ? ["", "fixes:", ...fixes] : [])].join("\n");
}
