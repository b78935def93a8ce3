import type { Context } from "../context.js";
import { formatBytes, formatDuration, formatRate } from "./format.js";

export interface ByteProgress {
  /** Called as bytes are written; cheap enough for every chunk. */
  advance(bytes: number): void;
  done(message: string): void;
  fail(): void;
}

const NOOP: ByteProgress = { advance() {}, done() {}, fail() {} };

/**
 * A spinner with bytes and bytes/s, only on an interactive stderr. ora is
 * loaded lazily so non-interactive runs (CI, pipes) never pay for it.
 */
export async function startByteProgress(
  ctx: Context,
  label: string,
  totalBytes: number,
): Promise<ByteProgress> {
  if (!ctx.interactive) return NOOP;
  const { default: ora } = await import("ora");
  const spinner = ora({ text: label, stream: ctx.stderr as NodeJS.WriteStream }).start();
  const started = Date.now();
  let done = 0;
  let lastPaint = 0;
  return {
    advance(bytes) {
      done += bytes;
      const now = Date.now();
      if (now - lastPaint < 100) return;
      lastPaint = now;
      const pct = totalBytes > 0 ? ` ${Math.min(100, Math.floor((done / totalBytes) * 100))}%` : "";
      spinner.text = `${label}${pct} ${formatBytes(done)}/${formatBytes(totalBytes)} ${formatRate(done, now - started)}`;
    },
    done(message) {
      spinner.succeed(message);
    },
    fail() {
      spinner.stop();
    },
  };
}

export interface Spinner {
  /** Replaces the text after the label (e.g. the current step). */
  update(text: string): void;
  done(message: string): void;
  fail(): void;
}

/**
 * A spinner with elapsed time for waits (server start, READY). Without a
 * terminal the finished step is still reported on stderr, once.
 */
export async function startSpinner(ctx: Context, label: string): Promise<Spinner> {
  const chatty = !ctx.quiet && ctx.output === "text";
  if (!ctx.interactive) {
    return {
      update() {},
      done(message) {
        if (chatty) ctx.stderr.write(`✔ ${message}\n`);
      },
      fail() {},
    };
  }
  const { default: ora } = await import("ora");
  const spinner = ora({ text: label, stream: ctx.stderr as NodeJS.WriteStream }).start();
  const started = Date.now();
  let detail = "";
  const paint = () => {
    spinner.text = `${label}${detail ? ` · ${detail}` : ""} ${formatDuration(Date.now() - started)}`;
  };
  const timer = setInterval(paint, 250);
  timer.unref();
  return {
    update(text) {
      detail = text;
      paint();
    },
    done(message) {
      clearInterval(timer);
      spinner.succeed(message);
    },
    fail() {
      clearInterval(timer);
      spinner.stop();
    },
  };
}
