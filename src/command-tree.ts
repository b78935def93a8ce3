import { type Command, Option } from "commander";
import type { Context } from "./context.js";

/** What every command module exports: parse raw values → call the core → render. */
export type CommandRun = (
  positional: string[],
  options: Record<string, unknown>,
  ctx: Context,
) => Promise<void>;
type Loader = () => Promise<{ run: CommandRun }>;

const contexts = new WeakMap<Command, Context>();
export const setCommandContext = (cmd: Command, ctx: Context) => contexts.set(cmd, ctx);

/**
 * Option values from the program down to `cmd`, nearest command winning.
 * (commander's optsWithGlobals lets ancestors win, so a program-level default
 * would mask `package -o json`.) `--no-color` anywhere turns colour off.
 */
export function mergedOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) if (value !== undefined) merged[key] = value;
  }
  if (chain.some((c) => c.opts().color === false)) merged.color = false;
  return merged;
}

/** Command modules load only when their command runs, keeping `mserve --version` cheap. */
function lazy(load: Loader) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2).flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? a : [a]));
    const ctx = contexts.get(cmd);
    if (!ctx) throw new Error(`no context for command ${cmd.name()}`);
    const { run } = await load();
    // Flags given before the subcommand (e.g. `mserve --config x package`) count too.
    await run(positional as string[], mergedOptions(cmd), ctx);
  };
}

/**
 * Global flags repeated on each subcommand: the program uses positional
 * options so `package --version 3` (model version) and `unpack -o DIR` can
 * mean what torch-model-archiver and unzip users expect. No defaults here:
 * a subcommand default would mask a flag given before the subcommand.
 */
function withGlobals(cmd: Command, { shortOutput = true } = {}): Command {
  cmd
    .addOption(
      new Option(shortOutput ? "-o, --output <format>" : "--output <format>", "output format").choices([
        "text",
        "json",
      ]),
    )
    .option("-q, --quiet", "print results only, no progress or notes")
    .option("--debug", "show stack traces for unexpected errors")
    .option("--no-color", "disable colours (also NO_COLOR=1)");
  return cmd;
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;

export function registerCommands(program: Command): void {
  program.enablePositionalOptions();

  withGlobals(program.command("init"))
    .description("scaffold a model project: mserve.yaml, a handler and a README")
    .argument("[dir]", "folder to create the project in", ".")
    .addOption(
      new Option("-t, --template <name>", "project template")
        .choices(["text-classifier", "image-classifier", "custom"])
        .default("text-classifier"),
    )
    .option("--name <model-name>", "model name (default: the folder name)")
    .option("-f, --force", "overwrite existing files")
    .addHelpText(
      "after",
      examples(["mserve init --template text-classifier intent", "mserve init -t custom ."]),
    )
    .action(lazy(() => import("./commands/init.js")));

  withGlobals(program.command("package"))
    .description("build a model artifact (TorchServe .mar, tgz or folder) from mserve.yaml and/or flags")
    .addOption(new Option("--target <server>", "server to package for").choices(["torchserve"]))
    .option("--config <file>", "project file (default: ./mserve.yaml when present)")
    .option("--model-name <name>", "model name; also the output file name")
    .option("-v, --version <version>", "model version (URL-safe)")
    .option("--serialized-file <path>", "weights: TorchScript .pt, state_dict, .onnx, …")
    .option("--model-file <path>", "Python file defining the model class (eager mode)")
    .option("--handler <handler>", "built-in handler name or path/to/handler.py[:function]")
    .option("--extra-files <list>", "comma-separated files, folders or globs to add")
    .option("-r, --requirements-file <path>", "pip requirements for the model")
    .option("-c, --config-file <path>", "TorchServe model-config.yaml")
    .addOption(new Option("--runtime <runtime>", "worker runtime").choices(["python", "python3", "LSP"]))
    .addOption(
      new Option("--archive-format <format>", "archive format").choices([
        "default",
        "zip-store",
        "tgz",
        "no-archive",
      ]),
    )
    .option("--export-path <dir>", "folder to write the artifact to (default: current folder)")
    .option("-f, --force", "overwrite an existing artifact")
    .option("--preserve-paths", "keep extra files' relative folders instead of flattening them")
    .option("--dry-run", "print what would be archived without writing anything")
    .addHelpText(
      "after",
      examples([
        "mserve package                       # everything from ./mserve.yaml",
        "mserve package --model-name intent -v 1 --serialized-file model.pt --model-file model.py \\",
        "    --handler handler.py --extra-files vocab.json,index_to_name.json --export-path dist",
        "mserve package --archive-format zip-store -f -o json",
      ]),
    )
    .action(lazy(() => import("./commands/package.js")));

  withGlobals(program.command("inspect"))
    .description("show an archive's manifest, entries, sizes and sha256 without extracting it")
    .argument("<path>", ".mar, .tar.gz, .zip or artifact folder")
    .addHelpText(
      "after",
      examples(["mserve inspect dist/intent.mar", "mserve inspect dist/intent.mar -o json"]),
    )
    .action(lazy(() => import("./commands/inspect.js")));

  withGlobals(program.command("validate"))
    .description("check an artifact offline the way TorchServe will read it; exit 3 on errors")
    .argument("<path>", ".mar, .tar.gz or artifact folder")
    .addHelpText(
      "after",
      examples(["mserve validate dist/intent.mar", "mserve validate dist/intent -o json"]),
    )
    .action(lazy(() => import("./commands/validate.js")));

  withGlobals(program.command("unpack"), { shortOutput: false })
    .description("extract an archive safely: nothing lands outside the target folder")
    .argument("<archive>", ".mar, .zip or .tar.gz")
    .requiredOption("-o, --output-dir <dir>", "folder to extract into (must not exist unless --force)")
    .option("--max-bytes <size>", "largest total uncompressed size allowed (e.g. 2GiB)", "20GiB")
    .option("--max-entries <n>", "largest number of entries allowed", "100000")
    .option("--strip-components <n>", "drop leading path segments (1 for TorchServe-style tgz)")
    .option("-f, --force", "replace the target folder if it exists")
    .addHelpText(
      "after",
      examples([
        "mserve unpack dist/intent.mar -o /tmp/intent",
        "mserve unpack model.tar.gz -o out --max-bytes 50GiB",
      ]),
    )
    .action(lazy(() => import("./commands/unpack.js")));

  withGlobals(program.command("completion"))
    .description("print a shell completion script")
    .addArgument(program.createArgument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
    .addHelpText(
      "after",
      examples([
        "mserve completion bash > /etc/bash_completion.d/mserve",
        "mserve completion zsh > ~/.zfunc/_mserve",
        "mserve completion fish > ~/.config/fish/completions/mserve.fish",
      ]),
    )
    .action(lazy(() => import("./commands/completion.js")));
}
