import { styleText } from "node:util";
import type { Context } from "../context.js";
import { renderView, type View } from "./view.js";

/**
 * The only way commands talk to the user. stdout carries results only; notes,
 * warnings, progress and errors go to stderr (design.md §2).
 */
export interface Ui {
  /** Narration on stderr; silenced by --quiet and by --output json. */
  info(message: string): void;
  /** Warnings always reach stderr, even with --quiet. */
  warn(message: string): void;
  /** A finished step on stderr (green tick on a terminal). */
  success(message: string): void;
  /** The command's result: one JSON document (written by cli.ts when the command ends), or text now. */
  result(data: unknown, text: () => string): void;
  /** A core module's result: its data as JSON, or its View as text. */
  show(outcome: { data: unknown; view: View }): void;
  out: Paint;
  err: Paint;
}

/** The few colours mserve uses; plain text where colour is off (decided once, in context.ts). */
export interface Paint {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

// node:util's styleText, not chalk: loading chalk cost ~9 ms of every command's start-up.
const painted: Paint = {
  red: (text) => styleText("red", text, { validateStream: false }),
  yellow: (text) => styleText("yellow", text, { validateStream: false }),
  green: (text) => styleText("green", text, { validateStream: false }),
};
const plain: Paint = { red: (text) => text, yellow: (text) => text, green: (text) => text };

export function createUi(ctx: Context): Ui {
  const out = ctx.color.stdout ? painted : plain;
  const err = ctx.color.stderr ? painted : plain;
  const chatty = !ctx.quiet && ctx.output === "text";
  return {
    out,
    err,
    info(message) {
      if (chatty) ctx.stderr.write(`${message}\n`);
    },
    warn(message) {
      ctx.stderr.write(`${err.yellow("warning:")} ${message}\n`);
    },
    success(message) {
      if (chatty) ctx.stderr.write(`${err.green("✔")} ${message}\n`);
    },
    show(outcome) {
      this.result(outcome.data, () => renderView(outcome.view, ctx.quiet));
    },
    result(data, text) {
      if (ctx.output === "json") {
        ctx.result.put(data);
      } else {
        const rendered = text();
        if (rendered) ctx.stdout.write(rendered.endsWith("\n") ? rendered : `${rendered}\n`);
      }
    },
  };
}
