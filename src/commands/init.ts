import { relative, resolve } from "node:path";
import type { CommandRun } from "../cli/command.js";
import type { initSpec } from "../cli/specs/project.js";
import { method, openSession } from "../cli/target-session.js";
import { usageError } from "../errors.js";
import { applyInit } from "../scaffold/init-project.js";
import { TARGETS } from "../targets/table.js";
import type { TargetDescriptor } from "../targets/target.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof initSpec> = async ({ args: [dir = "."], options }, ctx) => {
  const ui = createUi(ctx);
  // A template only one target has names that target: `init -t onnx` is a Triton project.
  const owners = (Object.values(TARGETS) as TargetDescriptor[]).filter(
    (t) => options.template && t.templates?.names.includes(options.template),
  );
  const target = options.target ?? (owners.length === 1 ? owners[0]?.id : undefined);
  const session = await openSession("init", { ...options, ...(target ? { target } : {}) }, ctx, {
    defaultTimeout: "0s",
    needsServer: false,
  });
  const { descriptor } = session.chosen;
  const templates = descriptor.templates;
  const template = options.template ?? templates?.default;
  if (!template || !templates?.names.includes(template))
    throw usageError(
      `${descriptor.id} has no template "${template}"`,
      `Templates for ${descriptor.id}: ${templates?.names.join(", ") ?? "none"}.`,
    );
  const plan = await method(
    session,
    "init",
  )({ dir: resolve(ctx.cwd, dir), template, ...(options.name ? { name: options.name } : {}) });
  const written = await applyInit(plan, Boolean(options.force));
  ui.success(`Created a ${plan.template} project for model "${plan.modelName}" (${descriptor.title})`);
  ui.result(
    { dir: plan.dir, target: descriptor.id, template: plan.template, name: plan.modelName, files: written },
    () =>
      [
        ...written.map((f) => relative(ctx.cwd, f)),
        ...(ctx.quiet
          ? []
          : [
              "",
              `Next: add your model files, then run \`mserve package --config ${relative(ctx.cwd, plan.dir) || "."}/mserve.yaml\``,
            ]),
      ].join("\n"),
  );
};
