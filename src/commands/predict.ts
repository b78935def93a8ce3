import type { CommandRun } from "../cli/command.js";
import type { OptionsOf } from "../cli/options.js";
import { registryAt } from "../cli/registry.js";
import type { predictSpec } from "../cli/specs/serving.js";
import { hooksFor, method, openSession, type Session, withConnection } from "../cli/target-session.js";
import type { Context } from "../context.js";
import { MserveError, usageError } from "../errors.js";
import { onTarget, type PredictTarget, resolvePredictTarget } from "../predict/target.js";
import { parseRef } from "../registry/resolve.js";
import type { Registry } from "../registry/types.js";
import type { TargetConnection } from "../targets/target.js";

type Options = OptionsOf<(typeof predictSpec)["options"]>;

const describe = (target: PredictTarget) =>
  target.model ? `${target.name}:${target.version}${target.alias ? ` (${target.alias})` : ""}` : target.label;

/**
 * The sidecar step, the same on every target (release/exact.ts): a registry
 * version must be on the server exactly (else exit 5), or is put there first.
 */
async function ensure(
  session: Session,
  connection: TargetConnection,
  target: PredictTarget,
  registry: Registry | undefined,
  options: Options,
  ctx: Context,
) {
  if (!target.model || !registry || !session.adapter.held) return;
  const { startSpinner } = await import("../ui/progress.js");
  const spinner = await startSpinner(ctx, `Preparing ${describe(target)}`);
  try {
    const { ensureExact } = await import("../release/exact.js");
    const { registered } = await ensureExact(
      session.adapter,
      connection,
      {
        registry,
        model: target.model,
        autoRegister: options.autoRegister,
        label: target.label,
        ...(target.alias ? { alias: target.alias } : {}),
        timeoutMs: Math.max(session.timeoutMs, 180_000),
      },
      hooksFor(ctx, spinner),
    );
    if (registered)
      spinner.done(`placed ${target.name}:${target.version} on ${connection.label} from the registry`);
    else spinner.fail();
  } catch (error) {
    spinner.fail();
    throw error;
  }
}

export const run: CommandRun<typeof predictSpec> = async ({ args: [model, second], options }, ctx) => {
  if (options.version !== undefined && second !== undefined) {
    throw usageError(`two versions given: "${second}" and --version ${options.version}`);
  }
  if (options.requestId !== undefined) (await import("../predict/log.js")).checkRequestId(options.requestId);
  const spec = parseRef(model, second ?? options.version, options.id);
  let registry: Registry | undefined;
  try {
    let target: PredictTarget;
    let unknownAlias: MserveError | undefined;
    try {
      target = await resolvePredictTarget(spec, async () => {
        const { openRegistry } = await import("../registry/open.js");
        registry ??= await openRegistry(registryAt(ctx, options.registry));
        return registry;
      });
    } catch (error) {
      // An alias the registry does not know may be one the server keeps (TF Serving's labels).
      if (!(error instanceof MserveError && error.code === "NOT_FOUND" && spec.kind === "alias")) throw error;
      unknownAlias = error;
      target = { name: spec.name, alias: spec.alias, label: `${spec.name}@${spec.alias}` };
    }
    const session = await openSession("predict", options, ctx, {
      defaultTimeout: "60s",
      needsServer: true,
      modelTarget: target.model?.target,
    });
    if (unknownAlias && !session.chosen.descriptor.serverLabels) throw unknownAlias;
    target = onTarget(target, session.chosen.id);
    await withConnection(session, options, ctx, async (connection) => {
      await ensure(session, connection, target, registry, options, ctx);
      const predictor = await method(session, "predictor")(connection, {
        name: target.name,
        ...(target.version ? { version: target.version } : {}),
        ...(unknownAlias && target.alias ? { serverLabel: target.alias } : {}),
        options,
        cwd: ctx.cwd,
      });
      const where = {
        predictor,
        target,
        connection,
        targetId: session.chosen.id,
        timeoutMs: session.timeoutMs,
      };
      // Loaded once there is a server to ask: a predict that fails before the network stays cheap.
      const { predictBatch, predictOnce } = await import("../cli/predict-output.js");
      if (options.batch) await predictBatch(where, options, ctx);
      else await predictOnce(where, options, ctx);
    });
  } finally {
    await registry?.close();
  }
};
