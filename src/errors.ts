/**
 * One error family for the whole tool. Core modules throw MserveError; only
 * src/cli.ts turns it into an exit code and a message (design.md §3).
 */

/** The documented exit codes. Scripts depend on these numbers: never renumber. */
export const EXIT_CODES = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  INVALID_INPUT: 3,
  NOT_FOUND: 4,
  CONFLICT: 5,
  UNREACHABLE: 6,
  SERVER_ERROR: 7,
  TIMEOUT: 8,
  AUTH: 9,
  INTERRUPTED: 130,
} as const;

export type ErrorCode = Exclude<keyof typeof EXIT_CODES, "OK">;

/** Human meaning of each exit code, shown by `mserve --help` and the README. */
export const EXIT_CODE_MEANINGS: Record<ErrorCode | "OK", string> = {
  OK: "success",
  INTERNAL: "internal error (a bug)",
  USAGE: "usage: unknown command or flag, missing argument",
  INVALID_INPUT: "invalid input: bad file, failed validation, unsafe archive",
  NOT_FOUND: "not found: model, version, alias, server",
  CONFLICT: "conflict: already exists, alias race, port in use",
  UNREACHABLE: "server unreachable: connection refused, DNS, reset",
  SERVER_ERROR: "server rejected or failed the request (other 4xx, 5xx)",
  TIMEOUT: "timed out waiting (readiness, request)",
  AUTH: "authentication or authorization failed",
  INTERRUPTED: "interrupted",
};

export interface MserveErrorOptions {
  /** What the user can do about it; printed under the message. */
  hint?: string;
  /** Structured extra data for `--output json` (e.g. a diagnostics list). */
  details?: unknown;
  cause?: unknown;
}

export class MserveError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: MserveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MserveError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: unknown } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export const usageError = (message: string, hint?: string) => new MserveError("USAGE", message, { hint });
export const invalidInput = (message: string, hint?: string, details?: unknown) =>
  new MserveError("INVALID_INPUT", message, { hint, details });
export const notFound = (message: string, hint?: string) => new MserveError("NOT_FOUND", message, { hint });
export const conflict = (message: string, hint?: string) => new MserveError("CONFLICT", message, { hint });

export function isMserveError(error: unknown): error is MserveError {
  return error instanceof MserveError;
}

/**
 * Turns a Node fs error about `path` into a user-facing MserveError, so that a
 * missing or unreadable file is reported by name instead of as a stack trace.
 */
export function fromFsError(error: unknown, path: string, what = "file"): MserveError | unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return new MserveError("INVALID_INPUT", `${what} not found: ${path}`, {
        hint: "Check the path; relative paths are resolved from the current directory.",
        cause: error,
      });
    case "EACCES":
    case "EPERM":
      return new MserveError("INVALID_INPUT", `${what} is not readable or writable: ${path}`, {
        hint: "Check the file permissions.",
        cause: error,
      });
    case "EISDIR":
      return new MserveError("INVALID_INPUT", `${what} is a directory, expected a file: ${path}`, {
        cause: error,
      });
    case "ENOTDIR":
      return new MserveError("INVALID_INPUT", `a parent of ${path} is not a directory`, { cause: error });
    case "ENOSPC":
      return new MserveError("INVALID_INPUT", `no space left on device while writing ${path}`, {
        hint: "Free disk space or choose another --export-path.",
        cause: error,
      });
    default:
      return error;
  }
}
