import { setMaxListeners } from "node:events";
import { type Command, CommanderError } from "commander";
import { cleanupTempPathsSync } from "./archive/temp-paths.js";
import { loadCommand } from "./cli/loaders.js";
import type { CommandSpec } from "./cli/options.js";
import { parseOptions } from "./cli/parse.js";
import { buildProgram, commandNames } from "./cli/program.js";
import { type Context, createContext, type GlobalFlags } from "./context.js";
import { EXIT_CODES, MserveError } from "./errors.js";
import { packageVersion } from "./version.js";

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

function asMserveError(error: unknown, ctx: Context): MserveError {
  if (error instanceof MserveError) return error;
  if (isZodError(error)) return usageFromZod(error);
  return new MserveError("INTERNAL", `unexpected error: ${(error as Error)?.message ?? String(error)}`, {
    hint: ctx.debug ? undefined : "This is a bug in mserve. Re-run with --debug for the stack trace.",
  });
}

function renderError(error: unknown, ctx: Context, stdout: NodeJS.WritableStream): number {
  const known = asMserveError(error, ctx);
  if (ctx.output === "json") {
    stdout.write(`${JSON.stringify({ error: known.toJSON() }, null, 2)}\n`);
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

const GLOBAL_SWITCHES = new Set(["-q", "--quiet", "--debug", "--no-color", "-y", "--yes"]);

/** The words that are not global flags or their values: the command asked for (`registry show`), if any. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i] as string;
    if (arg === "-o" || arg === "--output" || arg === "--config") i++;
    else if (!arg.startsWith("-")) words.push(arg);
  }
  return words;
}

/** `mserve --version` (with nothing but global flags around it): no subcommand may follow. */
function asksForVersion(argv: string[]): boolean {
  let asked = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--version" || arg === "-V") asked = true;
    else if (arg === "-o" || arg === "--output" || arg === "--config") i++;
    else if (!GLOBAL_SWITCHES.has(arg) && !arg.startsWith("--output=") && !arg.startsWith("-o")) return false;
  }
  return asked;
}

/**
 * Option values from the program down to `cmd`, nearest command winning.
 * (commander's optsWithGlobals lets ancestors win, so a program-level default
 * would mask `package -o json`.) `--no-color` anywhere turns colour off.
 */
function mergedOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) if (value !== undefined) merged[key] = value;
  }
  if (chain.some((c) => c.opts().color === false)) merged.color = false;
  return merged;
}

/** unpack's `-o DIR` from before -o meant the output format: still honoured, with a note. */
function legacyOutputDir(spec: CommandSpec, raw: Record<string, unknown>, stderr: NodeJS.WritableStream) {
  const key = spec.legacyOutputDir;
  if (!key || raw.output === undefined || raw.output === "text" || raw.output === "json") return;
  stderr.write(
    `warning: -o ${String(raw.output)} is the old spelling of --${key}; -o now sets the output format\n`,
  );
  raw[key] ??= raw.output;
  raw.output = undefined;
}

/**
 * The single boundary: parses argv, runs the command, turns every failure
 * into a message and an exit code. Only the launcher sets process.exitCode.
 */
/** A reader that went away (`mserve … | head -1`) wanted no more: stop quietly, as `git log | head` does. */
function quietOnClosedPipe(stream: NodeJS.WritableStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    cleanupTempPathsSync();
    process.exit(0);
  });
}

export async function main(argv: string[], io: Parameters<typeof createContext>[1] = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  if (!io.stdout) quietOnClosedPipe(process.stdout);
  if (asksForVersion(argv)) {
    // Scripts call this in loops: answer before building the command tree.
    const json = peekFlags(argv).output === "json";
    stdout.write(json ? `${JSON.stringify({ version: packageVersion() })}\n` : `${packageVersion()}\n`);
    return 0;
  }
  const controller = new AbortController();
  // Every request in flight listens for Ctrl-C: a batch at -c 16 is not a listener leak.
  setMaxListeners(0, controller.signal);
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
  // A known command builds only its own branch of the tree; anything else (help, a typo) gets all of it.
  const [word, subword] = commandWords(argv);
  const names = commandNames();
  const only =
    word === undefined || !names.has(word)
      ? undefined
      : subword !== undefined && names.has(`${word} ${subword}`)
        ? `${word} ${subword}`
        : word;
  const program = buildProgram(
    packageVersion(),
    async (spec, positional, command) => {
      const raw = mergedOptions(command);
      legacyOutputDir(spec, raw, early.stderr);
      const ctx = createContext(raw as GlobalFlags, { ...io, signal: controller.signal });
      activeCtx = ctx;
      if (ctx.output === "json" && spec.json === false) {
        throw new MserveError("USAGE", `\`${spec.name}\` has no JSON form`, { hint: spec.jsonHint });
      }
      const options = parseOptions(spec.options, raw);
      const module = await loadCommand(spec.name);
      await module.run({ args: positional, options }, ctx);
      if (ctx.output === "json") {
        if (!ctx.result.taken)
          throw new MserveError("INTERNAL", `\`${spec.name}\` finished without a result`);
        stdout.write(`${JSON.stringify(ctx.result.document, null, 2)}\n`);
      }
    },
    only,
  );
  // Settings are copied to subcommands only at creation, so apply them to the whole tree.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const command of all(program)) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => early.stderr.write(s),
      outputError: (s, write) => {
        usageMessage = s.replace(/^error: /, "").trim();
        if (early.output !== "json") write(s);
      },
    });
  }
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
        stdout.write(
          `${JSON.stringify({ error: { code: "USAGE", message: usageMessage || error.message } }, null, 2)}\n`,
        );
      }
      return EXIT_CODES.USAGE;
    }
    return renderError(error, activeCtx, stdout);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
