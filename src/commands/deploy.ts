import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { workerFlagsSchema } from "../config/server-flags.js";
import type { Context } from "../context.js";
import { invalidInput } from "../errors.js";
import { parseRef, resolveRef } from "../registry/resolve.js";
import { type DeployResult, deployArchive } from "../targets/torchserve/deploy.js";
import { packageForDeploy } from "../targets/torchserve/package-for-deploy.js";
import { formatDuration } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";
import { withConnection } from "./support/connection.js";
import { deployKserve } from "./support/kserve-ops.js";
import { withRegistry } from "./support/registry.js";
import { deployToTfServing } from "./support/tfserving-ops.js";
import { targetOf } from "./support/triton.js";
import { deployToTriton } from "./support/triton-ops.js";

const flagsSchema = workerFlagsSchema.extend({
  target: z.enum(["torchserve", "triton", "tfserving", "kserve"]).default("torchserve"),
  config: z.string().optional(),
  replace: z.boolean().optional(),
  wait: z.boolean().default(true),
});

/**
 * `deploy intent@PROD` (or `intent:3`, `intent PROD`, `--id`): when the argument is
 * not a file, it names a registry version, whose artifact is deployed after a hash check.
 */
async function registryArtifact(positional: string[], rawOptions: Record<string, unknown>, ctx: Context) {
  const [first, second] = positional;
  const id = typeof rawOptions.id === "string" ? rawOptions.id : undefined;
  if (
    !id &&
    (!first ||
      (await stat(resolve(ctx.cwd, first)).then(
        () => true,
        () => false,
      )))
  )
    return undefined;
  if (!id && second === undefined && !/[:@]/.test(first as string)) return undefined;
  return withRegistry(rawOptions, ctx, async (registry) => {
    const { model } = await resolveRef(registry, parseRef(first, second, id));
    if (model.target !== "torchserve") {
      throw invalidInput(
        `${model.name}:${model.version} is a ${model.format} artifact, not a TorchServe archive`,
      );
    }
    return { path: await registry.localArtifact(model, ctx.signal), sha256: model.artifact.sha256 };
  });
}

const said: Record<DeployResult["status"], string> = {
  deployed: "deployed",
  replaced: "replaced",
  unchanged: "already deployed with this exact archive; nothing to do",
};

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  if (rawOptions.target === "kserve") return deployKserve(rawOptions, ctx);
  const kind = await targetOf(rawOptions, ctx);
  if (kind === "triton") return deployToTriton(positional, rawOptions, ctx);
  if (kind === "tfserving") return deployToTfServing(positional, rawOptions, ctx);
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const result = await withConnection(rawOptions, ctx, "180s", async (connection, timeout) => {
    const spinner = await startSpinner(ctx, `Deploying to ${connection.label}`);
    const deploy = (archive: string, expectedSha256?: string) =>
      deployArchive(connection, {
        archive,
        expectedSha256,
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
      const fromRegistry = await registryArtifact(positional, rawOptions, ctx);
      const [archive] = positional;
      if (fromRegistry) outcome = await deploy(fromRegistry.path, fromRegistry.sha256);
      else if (archive) outcome = await deploy(archive);
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
