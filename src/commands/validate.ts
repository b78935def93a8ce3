import type { CommandRun } from "../command-tree.js";
import { invalidInput } from "../errors.js";
import { validateArtifact } from "../targets/torchserve/read-artifact.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun = async ([path], _options, ctx) => {
  const ui = createUi(ctx);
  const result = await validateArtifact(path as string, ctx.cwd);
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result.diagnostics.length - errors;
  const lines = result.diagnostics.map(
    (d) =>
      `${d.severity === "error" ? ui.out.red("error") : ui.out.yellow("warning")} [${d.rule}] ${d.message}${d.hint ? `\n    hint: ${d.hint}` : ""}`,
  );
  if (errors > 0) {
    // Text mode shows the list as the result; JSON carries it in the error's details.
    if (ctx.output === "text") ctx.stdout.write(`${lines.join("\n")}\n`);
    throw invalidInput(
      `${result.path}: ${errors} error(s), ${warnings} warning(s)`,
      "Fix the errors above, or re-create the archive with `mserve package`.",
      result,
    );
  }
  ui.result(result, () =>
    [...lines, `${result.path}: valid${warnings ? ` (${warnings} warning(s))` : ""}`].join("\n"),
  );
};
