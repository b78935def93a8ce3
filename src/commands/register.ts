import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { workerFlagsSchema } from "../config/server-flags.js";
import { registerArchive } from "../targets/torchserve/manage.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";
import { withConnection } from "./support/connection.js";

const flagsSchema = workerFlagsSchema.extend({
  modelName: z.string().optional(),
  wait: z.boolean().default(true),
});

/** The bare management call: the archive must already be in the model store or at a URL the server may fetch. */
export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const url = positional[0] as string;
  const result = await withConnection(rawOptions, ctx, "180s", async ({ client, label }, timeout) => {
    const spinner = await startSpinner(ctx, `Registering ${url} on ${label}`);
    try {
      const outcome = await registerArchive(
        client,
        {
          url,
          modelName: flags.modelName,
          initialWorkers: flags.minWorkers ?? 1,
          batchSize: flags.batchSize,
          maxBatchDelayMs: flags.maxBatchDelay,
          responseTimeoutSec: flags.responseTimeout,
          synchronous: flags.wait,
        },
        { maxWorkers: flags.maxWorkers, wait: flags.wait, timeoutMs: timeout, signal: ctx.signal },
      );
      spinner.done(outcome.message);
      return outcome;
    } catch (error) {
      spinner.fail();
      throw error;
    }
  });
  ui.result(result, () => result.message);
};
