import { relative, resolve } from "node:path";
import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { applyInit, INIT_TEMPLATES, planInit } from "../scaffold/init-project.js";
import { createUi } from "../ui/output.js";

const optionsSchema = z.object({
  template: z.enum(INIT_TEMPLATES),
  name: z.string().optional(),
  force: z.boolean().optional(),
});

export const run: CommandRun = async ([dir = "."], rawOptions, ctx) => {
  const options = optionsSchema.parse(rawOptions);
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
