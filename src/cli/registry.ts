import type { Context } from "../context.js";
import type { OpenOptions } from "../registry/open.js";

/** Where the registry is, as the flags and environment of this invocation say. */
export const registryAt = (ctx: Context, flag: string | undefined): OpenOptions => ({
  env: ctx.env,
  cwd: ctx.cwd,
  flag,
  signal: ctx.signal,
  debug: ctx.debug ? (line) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
});
