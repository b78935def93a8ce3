import type { Context } from "../../context.js";
import { type PredictTarget, resolvePredictTarget } from "../../predict/target.js";
import { openRegistry } from "../../registry/open.js";
import { parseRef } from "../../registry/resolve.js";
import type { Registry } from "../../registry/types.js";

/**
 * A model named on the command line of a server command (models, bench): `intent`,
 * `intent:3`, `intent@PROD`, `intent PROD` or `--id`. The registry is opened only
 * when the reference needs it, and closed before the server is contacted.
 */
export async function resolveServerModel(
  positional: (string | undefined)[],
  rawOptions: Record<string, unknown>,
  ctx: Context,
): Promise<PredictTarget> {
  const id = typeof rawOptions.id === "string" ? rawOptions.id : undefined;
  const spec = parseRef(positional[0], positional[1], id);
  let registry: Registry | undefined;
  try {
    return await resolvePredictTarget(spec, async () => {
      registry ??= await openRegistry({
        env: ctx.env,
        cwd: ctx.cwd,
        flag: typeof rawOptions.registry === "string" ? rawOptions.registry : undefined,
        signal: ctx.signal,
      });
      return registry;
    });
  } finally {
    await registry?.close();
  }
}
