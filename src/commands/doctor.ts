import type { CommandRun } from "../cli/command.js";
import type { doctorSpec } from "../cli/specs/servers.js";
import { type CheckResult, commonChecks, orderChecks } from "../doctor/checks.js";
import { createExec } from "../doctor/exec.js";
import { invalidInput } from "../errors.js";
import { TARGETS } from "../targets/table.js";
import { formatTable } from "../ui/format.js";
import { createUi, type Ui } from "../ui/output.js";

interface TargetReport {
  target: string;
  /** Every row of this target passed or only warned. */
  ready: boolean;
  checks: CheckResult[];
}

/**
 * The common checks, then each target's own. Without --target a target whose
 * prerequisites are missing is reported, and doctor fails only when no target
 * is ready or a common check fails; with --target any failing row fails it.
 */
export const run: CommandRun<typeof doctorSpec> = async ({ options }, ctx) => {
  const ui = createUi(ctx);
  const d = {
    env: ctx.env,
    cwd: ctx.cwd,
    nodeVersion: process.versions.node,
    exec: createExec(ctx.env, { signal: ctx.signal }),
  };
  const wanted = Object.values(TARGETS).filter(
    (t) =>
      (!options.target || t.id === options.target) &&
      (t.capabilities as readonly string[]).includes("doctor"),
  );
  const [common, ...perTarget] = await Promise.all([
    commonChecks(d),
    ...wanted.map(async (t): Promise<TargetReport> => {
      const adapter = await t.load();
      const checks = (await adapter.doctor?.(d)) ?? [];
      return { target: t.id, ready: checks.every((c) => c.status !== "fail"), checks };
    }),
  ]);
  const targets = perTarget as TargetReport[];
  const checks = orderChecks(
    common as CheckResult[],
    targets.flatMap((t) => t.checks),
  );
  const failedCommon = (common as CheckResult[]).filter((c) => c.status === "fail");
  const failing = options.target
    ? checks.filter((c) => c.status === "fail")
    : targets.some((t) => t.ready)
      ? failedCommon
      : checks.filter((c) => c.status === "fail");
  const document = {
    ok: failing.length === 0,
    checks,
    targets: targets.map((t) => ({ target: t.target, ready: t.ready })),
  };
  if (failing.length > 0) {
    // Exactly one JSON document on stdout: with -o json cli.ts prints this error, carrying the checks.
    if (ctx.output === "text") ctx.stdout.write(`${renderText(checks, targets, ui)}\n`);
    throw invalidInput(
      `${failing.length} doctor check(s) failed: ${failing.map((c) => c.id).join(", ")}`,
      options.target
        ? "Apply the fixes listed above, then run `mserve doctor` again."
        : "No target is ready: apply the fixes of the one you use (or run `mserve doctor --target ID`).",
      document,
    );
  }
  ui.result(document, () => renderText(checks, targets, ui));
};

const PAINT = { pass: "green", warn: "yellow", fail: "red" } as const;

function renderText(checks: CheckResult[], targets: TargetReport[], ui: Ui): string {
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
  const ready = targets.map((t) => `${t.target} ${t.ready ? "ready" : "not ready"}`).join(", ");
  const fixes = checks.filter((c) => c.status !== "pass" && c.fix).map((c) => `  ${c.title}: ${c.fix}`);
  return [...lines, "", `targets: ${ready}`, ...(fixes.length ? ["", "fixes:", ...fixes] : [])].join("\n");
}
