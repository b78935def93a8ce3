import { timeoutMs as parseTimeout } from "../config/server-flags.js";
import type { Context } from "../context.js";
import { MserveError } from "../errors.js";
import { type Chosen, chooseTarget, requireVerb, runningServers } from "../targets/select.js";
import type { Flags, Hooks, Target, TargetConnection, Verb } from "../targets/target.js";
import { createUi } from "../ui/output.js";
import { type Spinner, startByteProgress } from "../ui/progress.js";

/** The flags every server command has (cli/specs/shared.ts serverOptions). */
export interface ServerFlags {
  target?: string;
  server?: string;
  url?: string;
  timeout?: string;
  config?: string;
}

export interface Session {
  chosen: Chosen;
  adapter: Target;
  timeoutMs: number;
}

/** Progress, confirmation and the environment, as an adapter may use them; nothing else reaches it. */
export function hooksFor(ctx: Context, spinner?: Spinner, yes?: boolean): Hooks {
  const ui = createUi(ctx);
  return {
    step: (message) => spinner?.update(message),
    async bytes(label, total) {
      const progress = await startByteProgress(ctx, label, total);
      return (n) => progress.advance(n);
    },
    warn: (message) => ui.warn(message),
    confirm: async (question) => (await import("../ui/confirm.js")).confirm(ctx, question, yes),
    signal: ctx.signal,
    env: ctx.env,
    cwd: ctx.cwd,
  };
}

/**
 * Picks the target once (targets/select.ts), refuses a verb it cannot do
 * (exit 2), and loads its adapter. Nothing here knows a target by name.
 */
export async function openSession(
  verb: Verb,
  flags: ServerFlags,
  ctx: Context,
  options: { defaultTimeout: string; needsServer: boolean; modelTarget?: string },
): Promise<Session> {
  const chosen = await chooseTarget(
    { verb, ...flags, needsServer: options.needsServer, modelTarget: options.modelTarget },
    ctx.env,
    ctx.cwd,
  );
  if (ctx.debug) ctx.stderr.write(`debug: target ${chosen.id} (${chosen.reason})\n`);
  requireVerb(chosen, verb);
  if (options.needsServer) await requireRunning(chosen, flags, ctx.env);
  const adapter = await chosen.descriptor.load();
  return { chosen, adapter, timeoutMs: parseTimeout(flags.timeout, options.defaultTimeout) };
}

/**
 * A target mserve starts, with no server of it running and no address given,
 * fails here: before its adapter loads, so the error costs next to nothing.
 */
async function requireRunning(chosen: Chosen, flags: ServerFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const { descriptor } = chosen;
  const addressed =
    flags.url ||
    flags.server ||
    Object.keys(env).some((k) => /^MSERVE_(\w+_)?(URL|SERVER)$/.test(k) && env[k]);
  if (addressed || !(descriptor.capabilities as readonly string[]).includes("serve")) return;
  if ((await runningServers(env)).some((r) => r.target === descriptor.id)) return;
  throw new MserveError("UNREACHABLE", `no ${descriptor.title} started by mserve is running`, {
    hint: `Start one with \`mserve serve --target ${descriptor.id}\`, or point at another with --url.`,
  });
}

/** Connects to the session's server, runs `work`, and always closes the connection. */
export async function withConnection<T>(
  session: Session,
  flags: Flags,
  ctx: Context,
  work: (connection: TargetConnection) => Promise<T>,
): Promise<T> {
  const { adapter, timeoutMs } = session;
  if (!adapter.connect) throw new Error(`${adapter.id} has no connect`);
  const connection = await adapter.connect(flags, {
    env: ctx.env,
    cwd: ctx.cwd,
    // One request never outlives the command's own budget.
    timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.debug ? (line) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
  });
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

/** An adapter method the descriptor's capabilities promised; its absence is a bug in that adapter. */
export function method<K extends keyof Target>(session: Session, key: K): NonNullable<Target[K]> {
  const fn = session.adapter[key];
  if (!fn) throw new Error(`${session.adapter.id} lists a capability it does not implement (${String(key)})`);
  return (typeof fn === "function" ? fn.bind(session.adapter) : fn) as NonNullable<Target[K]>;
}

/**
 * Runs long work under a spinner (on a terminal) that shows the adapter's
 * steps; the outcome's summary is the finished line, a failure stops it.
 */
export async function withProgress<T extends { summary?: string }>(
  ctx: Context,
  label: string,
  work: (hooks: Hooks) => Promise<T>,
  yes?: boolean,
): Promise<T> {
  const { startSpinner } = await import("../ui/progress.js");
  const spinner = await startSpinner(ctx, label);
  try {
    const done = await work(hooksFor(ctx, spinner, yes));
    if (done.summary) spinner.done(done.summary);
    else spinner.fail();
    return done;
  } catch (error) {
    spinner.fail();
    throw error;
  }
}
