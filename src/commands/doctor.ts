import { execa } from "execa";
import type { CommandRun } from "../command-tree.js";
import { type CheckResult, runChecks } from "../doctor/checks.js";
import { MserveError } from "../errors.js";
import { formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun = async (_positional, _rawOptions, ctx) => {
  const ui = createUi(ctx);
  const checks = await runChecks({
    env: ctx.env,
    cwd: ctx.cwd,
    nodeVersion: process.versions.node,
    exec: async (file, args) => {
      const r = await execa(file, args, { env: ctx.env, reject: false, timeout: 10_000, stdin: "ignore" });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
    },
  });
  const failed = checks.filter((c) => c.status === "fail");
  const paint = (c: CheckResult) =>
    c.status === "pass"
      ? ui.out.green("pass")
      : c.status === "warn"
        ? ui.out.yellow("warn")
        : ui.out.red("FAIL");
  if (ctx.output === "text") {
    const fixes = checks.filter((c) => c.status !== "pass" && c.fix).map((c) => `  ${c.title}: ${c.fix}`);
    ctx.stdout.write(
      `${formatTable(
        ["CHECK", "STATUS", "DETAIL"],
        checks.map((c) => [c.title, paint(c), c.detail]),
      )}\n${fixes.length ? `\nFixes:\n${fixes.join("\n")}\n` : ""}`,
    );
  }
  if (failed.length > 0) {
    // One JSON document on stdout: with -o json the checks travel in the error's details.
    throw new MserveError(
      "INVALID_INPUT",
      `${failed.length} doctor check(s) failed: ${failed.map((c) => c.id).join(", ")}`,
      {
        hint: "Apply the fixes listed above, then run `mserve doctor` again.",
        details: { checks },
      },
    );
  }
  if (ctx.output === "json") ui.result({ ok: true, checks }, () => "");
};
