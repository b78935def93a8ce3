import { relative, resolve } from "node:path";
import type { CommandRun } from "../cli/command.js";
import type { initSpec } from "../cli/specs/project.js";
import { applyInit, planInit } from "../scaffold/init-project.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof initSpec> = async ({ args: [dir = "."], options }, ctx) => {
  const ui = createUi(ctx);
  const plan = await planInit({ dir: resolve(ctx.cwd, dir), template: options.template, name: options.name });
  const written = await applyInit(plan, Boolean(options.force));
  ui.success(`Created a ${plan.template} project for model "${plan.modelName}"`);
  ui.result({ dir: plan.dir, template: plan.template, name: plan.modelName, files: written }, () =>
    [
      ...written.map((f) => relative(ctx.cwd, f)),
      ...(ctx.quiet
        ? []
        : [
            "",
            `Next: add your weights, then run \`mserve package --config ${relative(ctx.cwd, plan.dir) || "."}/mserve.yaml\``,
          ]),
    ].join("\n"),
  );
};
