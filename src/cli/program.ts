import { Command, Option } from "commander";
import { type ErrorCode, EXIT_CODE_MEANINGS, EXIT_CODES } from "../errors.js";
import { attributeName, type CommandSpec, type OptionSpec } from "./options.js";
import { COMMAND_SPECS } from "./specs/index.js";

export type OnAction = (spec: CommandSpec, positional: unknown[], command: Command) => Promise<void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function exitCodeTable(): string {
  const rows = (Object.keys(EXIT_CODE_MEANINGS) as (ErrorCode | "OK")[]).map(
    (k) => `  ${String(EXIT_CODES[k]).padStart(3)}  ${EXIT_CODE_MEANINGS[k]}`,
  );
  return `\nExit codes:\n${rows.join("\n")}\n`;
}

function commanderOptions(key: string, spec: OptionSpec): Option[] {
  const option = new Option(spec.flags, spec.description);
  if (attributeName(spec.flags) !== key) throw new Error(`option key "${key}" does not match ${spec.flags}`);
  if (spec.kind === "choice") option.choices(spec.choices);
  if (spec.kind === "list") option.argParser(collect).default([]);
  else if (spec.default !== undefined && !(spec.kind === "boolean" && spec.flags.startsWith("--no-")))
    option.default(spec.default);
  if (spec.required) option.makeOptionMandatory();
  if (spec.hidden) option.hideHelp();
  if (spec.kind === "boolean" && spec.flags.startsWith("--no-")) {
    // `--wait` next to `--no-wait`, so scripts that spell the default out keep working.
    return [option, new Option(spec.flags.replace("--no-", "--"), "").hideHelp()];
  }
  return [option];
}

/**
 * Global flags repeated on each subcommand: the program uses positional
 * options so `package --version 3` (model version) means what
 * torch-model-archiver users expect. No defaults here: a subcommand default
 * would mask a flag given before the subcommand.
 */
function addGlobals(cmd: Command, spec: CommandSpec): Command {
  const output = new Option("-o, --output <format>", "output format: text or json");
  // unpack's old `-o DIR` still has to reach the command (cli.ts reads it as --dest).
  if (!spec.legacyOutputDir) output.choices(["text", "json"]);
  return cmd
    .addOption(output)
    .option("-q, --quiet", "print results only, no progress or notes")
    .option("--debug", "show stack traces for unexpected errors")
    .option("--no-color", "disable colours (also NO_COLOR=1)");
}

function buildCommand(parent: Command, name: string, spec: CommandSpec): Command {
  const cmd = addGlobals(parent.command(name), spec).description(spec.description);
  for (const a of spec.args) {
    const argument = cmd.createArgument(a.syntax, a.description);
    if (a.choices) argument.choices(a.choices);
    if (a.default !== undefined) argument.default(a.default);
    cmd.addArgument(argument);
  }
  for (const [key, option] of Object.entries(spec.options))
    for (const o of commanderOptions(key, option)) cmd.addOption(o);
  if (spec.examples?.length)
    cmd.addHelpText("after", `\nExamples:\n${spec.examples.map((l) => `  ${l}`).join("\n")}\n`);
  return cmd;
}

/** Command names: top-level ones (`registry` for its subcommands) and whole ones (`registry show`). */
export const commandNames = (): Set<string> =>
  new Set(COMMAND_SPECS.flatMap((s) => [s.name.split(" ")[0] as string, s.name]));

/**
 * The command tree, built from the specs; `onAction` runs a command (cli.ts).
 * With `only` (`predict`, `registry`, `registry show`), just that branch is built: building ~30 commands and
 * their ~400 options is a tenth of what a short command costs to start.
 */
export function buildProgram(version: string, onAction: OnAction, only?: string): Command {
  const program = new Command("mserve")
    .description(
      "Package trained models and deploy them to model servers (TorchServe, Triton, TF Serving, KServe, MLServer).",
    )
    .version(version, "-V, --version", "print the mserve version")
    .addOption(new Option("-o, --output <format>", "output format (default: text)").choices(["text", "json"]))
    .option("-q, --quiet", "print results only, no progress or notes")
    .option("--debug", "show stack traces for unexpected errors")
    .option("--no-color", "disable colours (also NO_COLOR=1)")
    .option("--config <file>", "project file to use instead of ./mserve.yaml")
    .option("-y, --yes", "assume yes for confirmations (needed by destructive commands in scripts)")
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError()
    .addHelpText(
      "after",
      `\nExamples:\n  mserve init --template text-classifier intent\n  mserve package --config intent/mserve.yaml\n  mserve validate dist/intent.mar\n  mserve serve && mserve deploy && mserve predict intent --data "set a timer"\n  mserve serve --target triton && mserve deploy --target triton && mserve predict intent --target triton --data "hi"\n${exitCodeTable()}`,
    );
  program.enablePositionalOptions();
  const groups = new Map<string, Command>();
  for (const spec of COMMAND_SPECS) {
    const [group, sub] = spec.name.split(" ") as [string, string | undefined];
    if (only !== undefined && group !== only && !only.startsWith(`${group} `)) continue;
    if (only?.includes(" ") && sub !== undefined && spec.name !== only) continue;
    if (sub === undefined && !spec.args.length && Object.keys(spec.options).length === 0 && isGroup(spec)) {
      groups.set(group, buildCommand(program, group, spec));
      continue;
    }
    const parent = sub === undefined ? program : groups.get(group);
    if (!parent) throw new Error(`command group "${group}" is declared after "${spec.name}"`);
    const cmd = buildCommand(parent, sub ?? group, spec);
    cmd.action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await onAction(spec, args.slice(0, -2), command);
    });
  }
  return program;
}

/** A group (`registry`) is a spec whose subcommands follow it; it has no action of its own. */
const isGroup = (spec: CommandSpec) => COMMAND_SPECS.some((s) => s.name.startsWith(`${spec.name} `));
