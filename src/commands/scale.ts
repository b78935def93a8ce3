import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { wholeNumber } from "../config/server-flags.js";
import { usageError } from "../errors.js";
import { readiness } from "../targets/torchserve/client.js";
import { waitForWorkers } from "../targets/torchserve/manage.js";
import { formatRef, parseModelRef } from "../targets/torchserve/model-ref.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";
import { withConnection } from "./support/connection.js";

const flagsSchema = z.object({
  min: wholeNumber("--min", 0),
  max: wholeNumber("--max", 0),
  wait: z.boolean().optional(),
});

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const ref = parseModelRef(positional[0] as string, positional[1]);
  if (flags.min === undefined && flags.max === undefined) throw usageError("give --min and/or --max workers");
  const min = flags.min ?? Math.min(flags.max ?? 1, 1);
  const max = flags.max ?? min;
  if (max < min) throw usageError(`--max (${max}) is below --min (${min})`);
  const result = await withConnection(rawOptions, ctx, "120s", async ({ client }, timeout) => {
    const spinner = await startSpinner(ctx, `Scaling ${formatRef(ref)} to ${min}..${max} workers`);
    try {
      // The REST scale call ignores `timeout`; wait by polling describe instead of holding a request open.
      const answer = await client.scale(ref.name, ref.version, { min, max, synchronous: false });
      const model = flags.wait
        ? await waitForWorkers(client, ref, { timeoutMs: timeout, signal: ctx.signal, want: min })
        : (await client.describe(ref.name, ref.version))[0];
      spinner.done(flags.wait ? `${formatRef(ref)} has ${min} READY worker(s)` : answer.message);
      return { name: ref.name, version: model?.modelVersion, min, max, message: answer.message, model };
    } catch (error) {
      spinner.fail();
      throw error;
    }
  });
  ui.result(result, () => {
    const r = result.model ? readiness(result.model) : undefined;
    return `${result.name}:${result.version}  workers min ${min}, max ${max}${r ? `  (${r.ready} READY now)` : ""}`;
  });
};
