import type { CommandRun } from "../cli/command.js";
import type { inspectSpec } from "../cli/specs/project.js";
import { validatorFor } from "../cli/validators.js";
import { invalidInput } from "../errors.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof inspectSpec> = async ({ args: [path], options }, ctx) => {
  const reader = await validatorFor(path, ctx.cwd, options.target);
  if (!reader.inspect) throw invalidInput(`mserve cannot inspect ${path} (it can validate it)`);
  createUi(ctx).show(await reader.inspect(path, ctx.cwd));
};
