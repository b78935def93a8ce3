import type { Command, Option } from "commander";
import type { CommandRun } from "../cli/command.js";
import type { completionSpec } from "../cli/specs/servers.js";
import { type CommandSpec, completionScript, type OptionSpec, type Shell } from "../completion/scripts.js";
import { usageError } from "../errors.js";
import { packageVersion } from "../version.js";

function optionSpec(o: Option): OptionSpec {
  return {
    long: o.long,
    short: o.short,
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices,
  };
}

/** Reads the live commander tree so the scripts always match the real options. */
export function describeProgram(program: Command): { globals: OptionSpec[]; commands: CommandSpec[] } {
  const globals = program.options.filter((o) => !o.hidden).map(optionSpec);
  const commands = program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    // Subcommands carry their own copies of the global flags (positional options).
    options: c.options.filter((o) => !o.hidden).map(optionSpec),
    // A command group (`registry`) completes its subcommands in the first position.
    argChoices:
      c.commands.length > 0 ? c.commands.map((sub) => sub.name()) : c.registeredArguments[0]?.argChoices,
  }));
  return { globals, commands };
}

export const run: CommandRun<typeof completionSpec> = async ({ args: [shell] }, ctx) => {
  if (shell !== "bash" && shell !== "zsh" && shell !== "fish") {
    throw usageError(`unknown shell "${shell}"`, "Use bash, zsh or fish.");
  }
  const { buildProgram } = await import("../cli/program.js");
  const { globals, commands } = describeProgram(buildProgram(packageVersion(), async () => {}));
  ctx.stdout.write(completionScript(shell as Shell, "mserve", globals, commands));
};
