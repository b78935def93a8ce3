import { relative, resolve } from "node:path";
import type { CommandRun } from "../cli/command.js";
import type { initSpec } from "../cli/specs/project.js";
import { applyInit, chooseTemplate, planInit } from "../scaffold/init-project.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof initSpec> = async ({ args: [dir = "."], options }, ctx) => {
  const ui = createUi(ctx);
  const template = chooseTemplate(options.target, options.template);
  const plan = await planInit({ dir: resolve(ctx.cwd, dir), template, name: options.name });
  const written = await applyInit(plan, Boolean(options.force));
  const triton =
    template === "python" || template === "pytorch" || template === "onnx" || template === "ensemble";
  ui.success(`Created a ${triton ? "Triton " : ""}${plan.template} project for model "${plan.modelName}"`);
  ui.result({ dir: plan.dir, template: plan.template, name: plan.modelName, files: written }, () =>
    [
      ...written.map((f) => relative(ctx.cwd, f)),
      ...(ctx.quiet
        ? []
        : [
            "",
            triton
              ? `Next: see ${relative(ctx.cwd, plan.dir) || "."}/README.md, then run \`mserve package --config ${relative(ctx.cwd, plan.dir) || "."}/mserve.yaml\``
              : `Next: add your weights, then run \`mserve package --config ${relative(ctx.cwd, plan.dir) || "."}/mserve.yaml\``,
          ]),
    ].join("\n"),
  );
};
