import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { workerFlagsSchema } from "../config/server-flags.js";
import { type DeployResult, deployArchive } from "../targets/torchserve/deploy.js";
import { packageForDeploy } from "../targets/torchserve/package-for-deploy.js";
import { formatDuration } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";
import { withConnection } from "./support/connection.js";

const flagsSchema = workerFlagsSchema.extend({
  target: z.literal("torchserve").default("torchserve"),
  config: z.string().optional(),
  replace: z.boolean().optional(),
  wait: z.boolean().default(true),
});

const said: Record<DeployResult["status"], string> = {
  deployed: "deployed",
  replaced: "replaced",
  unchanged: "already deployed with this exact archive; nothing to do",
};

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const result = await withConnection(rawOptions, ctx, "180s", async (connection, timeout) => {
    const spinner = await startSpinner(ctx, `Deploying to ${connection.label}`);
    const deploy = (archive: string) =>
      deployArchive(connection, {
        archive,
        replace: Boolean(flags.replace),
        wait: flags.wait,
        timeoutMs: timeout,
        signal: ctx.signal,
        minWorkers: flags.minWorkers,
        maxWorkers: flags.maxWorkers,
        batchSize: flags.batchSize,
        maxBatchDelayMs: flags.maxBatchDelay,
        responseTimeoutSec: flags.responseTimeout,
        onStep: (step) => spinner.update(step),
      });
    try {
      let outcome: DeployResult | undefined;
      const [archive] = positional;
      if (archive) outcome = await deploy(archive);
      else
        await packageForDeploy({ config: flags.config, cwd: ctx.cwd, signal: ctx.signal }, async (path) => {
          outcome = await deploy(path);
        });
      const done = outcome as DeployResult;
      spinner.done(
        `${done.name}:${done.version} ${said[done.status]} (${formatDuration(done.timings.totalMs)})`,
      );
      return done;
    } catch (error) {
      spinner.fail();
      throw error;
    }
  });
  ui.result(result, () =>
    ctx.quiet
      ? `${result.name}:${result.version}`
      : [
          `${result.name}:${result.version}  ${result.status}  on ${result.server}`,
          `  workers   ${result.workers.ready}/${result.workers.wanted} READY (min ${result.workers.min}, max ${result.workers.max})`,
          `  default   ${result.isDefault ? "yes" : `no (make it the default: mserve set-default ${result.name} ${result.version})`}`,
          `  archive   ${result.storeFile}  sha256:${result.sha256}`,
          `  predict   mserve predict ${result.name} ${result.version} --data '…'`,
        ].join("\n"),
  );
};
