import type { Command, Option } from "commander";
import type { CommandRun } from "../command-tree.js";
import { type CommandSpec, completionScript, type OptionSpec, type Shell } from "../completion/scripts.js";
import { usageError } from "../errors.js";

function optionSpec(o: Option): OptionSpec {
  return {
    long: o.long,
    short: o.short,
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices,
  };
}

/** Reads the live commander tree so the scripts always match the real flags. */
export function describeProgram(program: Command): { globals: OptionSpec[]; commands: CommandSpec[] } {
  const globals = program.options.map(optionSpec);
  const commands = program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    // Subcommands carry their own copies of the global flags (positional options).
    options: c.options.map(optionSpec),
    // A command group (`registry`) completes its subcommands in the first position.
    argChoices:
      c.commands.length > 0 ? c.commands.map((sub) => sub.name()) : c.registeredArguments[0]?.argChoices,
  }));
  return { globals, commands };
}

export const run: CommandRun = async ([shell], _options, ctx) => {
  if (shell !== "bash" && shell !== "zsh" && shell !== "fish") {
    throw usageError(`unknown shell "${shell}"`, "Use bash, zsh or fish.");
  }
  const { buildProgram } = await import("../cli.js");
  const { globals, commands } = describeProgram(buildProgram());
  ctx.stdout.write(completionScript(shell as Shell, "mserve", globals, commands));
};
