import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { cleanupTempPathsSync } from "./archive/temp-paths.js";
import { mergedOptions, registerCommands, setCommandContext } from "./command-tree.js";
import { type Context, createContext, type GlobalFlags } from "./context.js";
import { type ErrorCode, EXIT_CODE_MEANINGS, EXIT_CODES, MserveError } from "./errors.js";

/** Read once, synchronously: cheaper than importing a JSON module at start-up. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function exitCodeTable(): string {
  const rows = (Object.keys(EXIT_CODE_MEANINGS) as (ErrorCode | "OK")[]).map(
    (k) => `  ${String(EXIT_CODES[k]).padStart(3)}  ${EXIT_CODE_MEANINGS[k]}`,
  );
  return `\nExit codes:\n${rows.join("\n")}\n`;
}

export function buildProgram(): Command {
  const program = new Command("mserve")
    .description(
      "Package trained models and deploy them to model servers (TorchServe, Triton, TF Serving, KServe).",
    )
    .version(packageVersion(), "-V, --version", "print the mserve version")
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
      `\nExamples:\n  mserve init --template text-classifier intent\n  mserve package --config intent/mserve.yaml\n  mserve validate dist/intent.mar\n  mserve serve && mserve deploy && mserve predict intent --data "set a timer"\n${exitCodeTable()}`,
    );
  registerCommands(program);
  return program;
}

interface ZodLike {
  name: string;
  issues: { path: PropertyKey[]; message: string }[];
}
// Recognised by shape: importing zod here would cost every start-up (even --version) ~50 ms.
const isZodError = (error: unknown): error is ZodLike =>
  error instanceof Error && error.name === "ZodError" && Array.isArray((error as unknown as ZodLike).issues);

/** A flag schema that refused a value: the user's mistake (exit 2), said in one line. */
function usageFromZod(error: ZodLike): MserveError {
  const issue = error.issues[0];
  const flag = issue?.path.length
    ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    : "a flag";
  return new MserveError("USAGE", `invalid ${flag}: ${issue?.message ?? "bad value"}`);
}

function renderError(error: unknown, ctx: Context): number {
  const known =
    error instanceof MserveError
      ? error
      : isZodError(error)
        ? usageFromZod(error)
        : new MserveError("INTERNAL", `unexpected error: ${(error as Error)?.message ?? String(error)}`, {
            hint: ctx.debug ? undefined : "This is a bug in mserve. Re-run with --debug for the stack trace.",
          });
  if (ctx.output === "json") {
    ctx.stdout.write(`${JSON.stringify({ error: known.toJSON() }, null, 2)}\n`);
  } else {
    const red = ctx.color.stderr ? (s: string) => `\u001b[31m${s}\u001b[39m` : (s: string) => s;
    ctx.stderr.write(`${red("error:")} ${known.message}\n`);
    if (known.hint) ctx.stderr.write(`  hint: ${known.hint}\n`);
  }
  if (ctx.debug && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
  return known.exitCode;
}

/** Global flags as far as they can be read before commander has parsed (for early errors). */
function peekFlags(argv: string[]): GlobalFlags {
  const flags: GlobalFlags = {};
  argv.forEach((arg, i) => {
    if (
      arg === "--output=json" ||
      arg === "-ojson" ||
      ((arg === "-o" || arg === "--output") && argv[i + 1] === "json")
    )
      flags.output = "json";
    if (arg === "--debug") flags.debug = true;
    if (arg === "--no-color") flags.color = false;
    if (arg === "-q" || arg === "--quiet") flags.quiet = true;
  });
  return flags;
}

/**
 * The single boundary: parses argv, runs the command, turns every failure
 * into a message and an exit code. Only the launcher sets process.exitCode.
 */
export async function main(argv: string[], io: Parameters<typeof createContext>[1] = {}): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    // Scripts call this in loops: answer before building the command tree.
    (io.stdout ?? process.stdout).write(`${packageVersion()}\n`);
    return 0;
  }
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      cleanupTempPathsSync();
      process.exit(EXIT_CODES.INTERRUPTED);
    }
    controller.abort(new MserveError("INTERRUPTED", "interrupted"));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const early = createContext(peekFlags(argv), { ...io, signal: controller.signal });
  let usageMessage = "";
  let activeCtx = early;
  const program = buildProgram();
  // Settings are copied to subcommands only at creation, so apply them to the whole tree.
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => early.stdout.write(s),
      writeErr: (s) => early.stderr.write(s),
      outputError: (s, write) => {
        usageMessage = s.replace(/^error: /, "").trim();
        if (early.output !== "json") write(s);
      },
    });
  }
  program.hook("preAction", (_this, actionCommand) => {
    const flags = mergedOptions(actionCommand) as GlobalFlags;
    const ctx = createContext(flags, { ...io, signal: controller.signal });
    setCommandContext(actionCommand, ctx);
    activeCtx = ctx;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.exitCode === 0
      )
        return 0;
      if (early.output === "json") {
        early.stdout.write(
          `${JSON.stringify({ error: { code: "USAGE", message: usageMessage || error.message } }, null, 2)}\n`,
        );
      }
      return EXIT_CODES.USAGE;
    }
    return renderError(error, activeCtx);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
