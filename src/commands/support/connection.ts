import { serverFlagsSchema, timeoutMs } from "../../config/server-flags.js";
import type { Context } from "../../context.js";
import { type Connection, connect } from "../../targets/torchserve/connect.js";

/** Opens the connection the flags select, runs `work`, and always closes the pool. */
export async function withConnection<T>(
  rawOptions: Record<string, unknown>,
  ctx: Context,
  defaultTimeout: string,
  work: (connection: Connection, timeout: number) => Promise<T>,
): Promise<T> {
  const flags = serverFlagsSchema.parse(rawOptions);
  const timeout = timeoutMs(flags.timeout, defaultTimeout);
  const connection = await connect(flags, {
    env: ctx.env,
    // One request never outlives the command's own budget.
    timeoutMs: timeout,
    signal: ctx.signal,
    onDebug: ctx.debug ? (line) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
  });
  try {
    return await work(connection, timeout);
  } finally {
    await connection.close();
  }
}
