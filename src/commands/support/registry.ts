import type { Context } from "../../context.js";
import { openRegistry } from "../../registry/open.js";
import type { Registry } from "../../registry/types.js";

/** Opens the registry the flags and environment select, runs `work`, and always closes it. */
export async function withRegistry<T>(
  rawOptions: Record<string, unknown>,
  ctx: Context,
  work: (registry: Registry) => Promise<T>,
): Promise<T> {
  const registry = await openRegistry({
    env: ctx.env,
    cwd: ctx.cwd,
    flag: typeof rawOptions.registry === "string" ? rawOptions.registry : undefined,
    signal: ctx.signal,
    debug: ctx.debug ? (line) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
  });
  try {
    return await work(registry);
  } finally {
    await registry.close();
  }
}
