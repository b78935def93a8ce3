import type { CommandRun } from "../cli/command.js";
import type { validateSpec } from "../cli/specs/project.js";
import { validatorFor } from "../cli/validators.js";
import { type Diagnostic, diagnosticLocation } from "../diagnostics.js";
import { invalidInput } from "../errors.js";
import { createUi, type Ui } from "../ui/output.js";

const line = (ui: Ui, d: Diagnostic) => {
  const severity =
    d.severity === "error"
      ? ui.out.red("error")
      : d.severity === "warning"
        ? ui.out.yellow("warning")
        : "note";
  return `${severity} [${d.rule}] ${diagnosticLocation(d)}${d.message}${d.hint ? `\n    hint: ${d.hint}` : ""}`;
};

export const run: CommandRun<typeof validateSpec> = async ({ args: [path], options }, ctx) => {
  const ui = createUi(ctx);
  const found = await validatorFor(path, ctx.cwd, options.target);
  const result = await found.validate(path, ctx.cwd, options, ctx.env);
  const { diagnostics } = result;
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  const lines = diagnostics.map((d) => line(ui, d));
  if (errors > 0) {
    // Text mode shows the list as the result; JSON carries it in the error's details.
    if (ctx.output === "text") ctx.stdout.write(`${lines.join("\n")}\n`);
    throw invalidInput(`${result.path}: ${errors} error(s), ${warnings} warning(s)`, found.fix, result);
  }
  ui.result(result, () =>
    [...lines, `${result.path}: valid${warnings ? ` (${warnings} warning(s))` : ""}`].join("\n"),
  );
};
