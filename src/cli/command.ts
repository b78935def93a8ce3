import type { Context } from "../context.js";
import type { ArgsOf, CommandSpec, OptionsOf } from "./options.js";

/** What a command receives: its positional arguments and its options, parsed and typed from its spec. */
export interface CommandInput<S extends CommandSpec> {
  args: ArgsOf<S["args"]>;
  options: OptionsOf<S["options"]>;
}

/** A command is a plain function over typed input; it renders through the ui and throws MserveError. */
export type CommandRun<S extends CommandSpec> = (input: CommandInput<S>, ctx: Context) => Promise<void>;
