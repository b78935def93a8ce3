import { serverFlagsSchema, timeoutMs } from "../../config/server-flags.js";
import type { Context } from "../../context.js";
import { chooseTarget, connectTriton, type TritonConnection } from "../../targets/triton/connect.js";

/** The kind of server this invocation talks to (--target, the --server's kind, or the only kind running). */
export const targetOf = (rawOptions: Record<string, unknown>, ctx: Context) =>
  chooseTarget(
    {
      target: rawOptions.target as string | undefined,
      server: rawOptions.server as string | undefined,
      url: rawOptions.url as string | undefined,
    },
    ctx.env,
  );

export const isTriton = (rawOptions: Record<string, unknown>, ctx: Context) =>
  targetOf(rawOptions, ctx).then((t) => t === "triton");

export async function withTriton<T>(
  rawOptions: Record<string, unknown>,
  ctx: Context,
  defaultTimeout: string,
  work: (connection: TritonConnection, timeout: number) => Promise<T>,
): Promise<T> {
  const flags = serverFlagsSchema.parse(rawOptions);
  const timeout = timeoutMs(flags.timeout, defaultTimeout);
  const connection = await connectTriton(
    {
      server: flags.server,
      url: flags.url,
      repository: (rawOptions.repository as string | undefined) ?? flags.modelStore,
    },
    {
      env: ctx.env,
      timeoutMs: timeout,
      signal: ctx.signal,
      onDebug: ctx.debug ? (line) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
    },
  );
  try {
    return await work(connection, timeout);
  } finally {
    await connection.close();
  }
}
