import { createInterface } from "node:readline/promises";
import type { Context } from "../context.js";
import { MserveError } from "../errors.js";

/**
 * Asks before a destructive step on a terminal; in scripts (no TTY) the
 * answer must be given up front with --yes, as kubectl and apt do.
 */
export async function confirm(ctx: Context, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  const stdin = process.stdin;
  if (!stdin.isTTY || !ctx.stderr || ctx.output === "json") {
    throw new MserveError("USAGE", `refusing to ${question} without confirmation`, {
      hint: "Pass --yes to confirm in scripts and CI.",
    });
  }
  const rl = createInterface({ input: stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(`${question}? [y/N] `, { signal: ctx.signal });
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new MserveError("INTERRUPTED", "cancelled: nothing was changed");
  } finally {
    rl.close();
  }
}
