import type { Writable } from "node:stream";
import { MserveError } from "./errors.js";

export type OutputMode = "text" | "json";

/**
 * With `-o json` a command's result is held here and written by cli.ts once the
 * command has finished, so stdout carries exactly one document: the result, or
 * the error when the command failed after all.
 */
export interface ResultSlot {
  document?: unknown;
  taken: boolean;
  put(document: unknown): void;
}

export function createResultSlot(): ResultSlot {
  return {
    taken: false,
    put(document) {
      if (this.taken) throw new MserveError("INTERNAL", "a command tried to print a second JSON document");
      this.taken = true;
      this.document = document;
    },
  };
}

/** In JSON mode stdout is written only through the result slot; a stray write is a bug, caught loudly. */
function jsonOnlyStdout(real: Writable): Writable {
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property === "write")
        return () => {
          throw new MserveError("INTERNAL", "a command wrote text to stdout in JSON mode");
        };
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * Everything a command needs from the outside world, built once in cli.ts so
 * tests can pass their own streams, env and cwd instead of mocking modules.
 */
export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  output: OutputMode;
  quiet: boolean;
  debug: boolean;
  /** Colour per stream: stdout may be piped while stderr is a terminal. */
  color: { stdout: boolean; stderr: boolean };
  /** Spinners and progress bars only when stderr is an interactive terminal. */
  interactive: boolean;
  /** Aborted on SIGINT/SIGTERM; long work checks it and cleans up. */
  signal: AbortSignal;
  /** Where `-o json` results go (see ResultSlot). */
  result: ResultSlot;
}

export interface GlobalFlags {
  output?: OutputMode;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  config?: string;
}

interface StreamLike {
  isTTY?: boolean;
  columns?: number;
}

/**
 * Decides colour in one place (the styling itself reads no environment):
 * any non-empty NO_COLOR, --no-color, TERM=dumb or a non-TTY stream turns it off;
 * FORCE_COLOR (non-zero) turns it on for non-TTY streams.
 */
export function colorFor(stream: StreamLike, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "") return env.FORCE_COLOR !== "0";
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

export function createContext(
  flags: GlobalFlags,
  io: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    stdout?: Writable & StreamLike;
    stderr?: Writable & StreamLike;
    signal?: AbortSignal;
  } = {},
): Context {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const output: OutputMode = flags.output ?? "text";
  const quiet = Boolean(flags.quiet);
  const isCI = Boolean(env.CI && env.CI !== "false");
  return {
    cwd: io.cwd ?? process.cwd(),
    env,
    stdout: output === "json" ? jsonOnlyStdout(stdout) : stdout,
    stderr,
    output,
    quiet,
    debug: Boolean(flags.debug),
    color: { stdout: colorFor(stdout, env, flags.color), stderr: colorFor(stderr, env, flags.color) },
    // A pty that reports no width (e.g. `script` without a terminal) makes ora redraw forever.
    interactive:
      Boolean(stderr.isTTY) &&
      (stderr.columns ?? 0) > 0 &&
      !quiet &&
      output === "text" &&
      !isCI &&
      env.TERM !== "dumb",
    signal: io.signal ?? new AbortController().signal,
    result: createResultSlot(),
  };
}
