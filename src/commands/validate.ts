import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { CommandRun } from "../command-tree.js";
import type { Context } from "../context.js";
import { invalidInput } from "../errors.js";
import { checkInferenceService } from "../targets/kserve/manifest.js";
import { detectTfServing, validateTfServing } from "../targets/tfserving/validate.js";
import type { ValidationDiagnostic } from "../targets/torchserve/validate-rules.js";
import type { TritonDiagnostic } from "../targets/triton/rules.js";
import { detectTriton, validateTriton } from "../targets/triton/validate.js";
import { createUi } from "../ui/output.js";

type Diagnostic = ValidationDiagnostic & Partial<Pick<TritonDiagnostic, "file" | "line" | "column">>;

/** Triton repositories, model folders and config.pbtxt files; TorchServe archives otherwise. */
async function validatePath(path: string, ctx: Context) {
  if (await detectTriton(resolve(ctx.cwd, path))) {
    const result = await validateTriton(path, ctx.cwd);
    return {
      result,
      diagnostics: result.diagnostics as Diagnostic[],
      fix: "Fix the errors above; `mserve package --target triton` writes configs Triton accepts.",
    };
  }
  if (
    /\.ya?ml$/.test(path) &&
    /kind:\s*InferenceService/.test(await readFile(resolve(ctx.cwd, path), "utf8").catch(() => ""))
  ) {
    const full = resolve(ctx.cwd, path);
    const manifest = parseYaml(await readFile(full, "utf8"));
    await checkInferenceService(manifest);
    return {
      result: { path: full, kind: "inferenceservice", valid: true, diagnostics: [] },
      diagnostics: [],
      fix: "",
    };
  }
  if (await detectTfServing(resolve(ctx.cwd, path))) {
    const result = await validateTfServing(path, ctx.cwd);
    return {
      result,
      diagnostics: result.diagnostics as Diagnostic[],
      fix: "Fix the errors above; `mserve package --target tfserving` keeps models.config consistent.",
    };
  }
  // The archive readers load only for archives: a Triton run does not pay for them.
  const { validateArtifact } = await import("../targets/torchserve/read-artifact.js");
  const result = await validateArtifact(path, ctx.cwd);
  return {
    result,
    diagnostics: result.diagnostics as Diagnostic[],
    fix: "Fix the errors above, or re-create the archive with `mserve package`.",
  };
}

export const run: CommandRun = async ([path], _options, ctx) => {
  const ui = createUi(ctx);
  const { result, diagnostics, fix } = await validatePath(path as string, ctx);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const where = (d: Diagnostic) => (d.file ? `${d.file}${d.line ? `:${d.line}:${d.column}` : ""}: ` : "");
  const lines = diagnostics.map(
    (d) =>
      `${d.severity === "error" ? ui.out.red("error") : ui.out.yellow("warning")} [${d.rule}] ${where(d)}${d.message}${d.hint ? `\n    hint: ${d.hint}` : ""}`,
  );
  if (errors > 0) {
    // Text mode shows the list as the result; JSON carries it in the error's details.
    if (ctx.output === "text") ctx.stdout.write(`${lines.join("\n")}\n`);
    throw invalidInput(`${result.path}: ${errors} error(s), ${warnings} warning(s)`, fix, result);
  }
  ui.result(result, () =>
    [...lines, `${result.path}: valid${warnings ? ` (${warnings} warning(s))` : ""}`].join("\n"),
  );
};
