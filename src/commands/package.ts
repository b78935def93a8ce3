import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { packageSpec } from "../cli/specs/project.js";
import { hooksFor, method, openSession } from "../cli/target-session.js";
import { findProject } from "../config/find-project.js";
import { usageError } from "../errors.js";
import { createUi } from "../ui/output.js";
import { type ByteProgress, startByteProgress } from "../ui/progress.js";

export const run: CommandRun<typeof packageSpec> = async ({ options }, ctx) => {
  const ui = createUi(ctx);
  const project = await findProject(options, ctx.cwd);
  const session = await openSession("package", options, ctx, { defaultTimeout: "0s", needsServer: false });
  let progress: ByteProgress | undefined;
  const hooks = {
    ...hooksFor(ctx),
    async bytes(label: string, total: number) {
      progress = await startByteProgress(ctx, label, total);
      return (n: number) => progress?.advance(n);
    },
  };
  const outcome = await method(session, "package")(
    { project, options, dryRun: Boolean(options.dryRun) },
    hooks,
  ).catch((error) => {
    progress?.fail();
    throw error;
  });
  if (outcome.summary) progress?.done(outcome.summary);
  for (const warning of outcome.warnings ?? []) ui.warn(warning);
  if (!options.register || options.dryRun) return ui.show(outcome);
  if (!outcome.artifact)
    throw usageError(
      `--register is not available for ${session.chosen.id}: it packages no model artifact`,
      "Register what the model's own target packages (e.g. mserve package --target triton --register), or push a file with `mserve registry push FILE --name NAME --version V`.",
    );
  const { path, name, version } = outcome.artifact;
  const [{ currentActor, withRegistry }, { describePush }] = await Promise.all([
    import("../registry/open.js"),
    import("../registry/push-input.js"),
  ]);
  // The target that packaged it describes it: a folder becomes the deterministic archive the registry stores.
  const input = await describePush(
    path,
    ctx.cwd,
    { name, version, tags: {} },
    { env: ctx.env, signal: ctx.signal, target: session.chosen.id },
  );
  const registered = await withRegistry(registryAt(ctx, options.registry), (registry) =>
    registry.push(input, { by: currentActor(ctx.env) }),
  ).finally(() => input.cleanup());
  ui.success(
    `${registered.status === "created" ? "pushed to" : "already in"} the registry as ${registered.version.name}:${registered.version.version} (${registered.version.kind}, id ${registered.version.id})`,
  );
  ui.show({
    data: { ...(outcome.data as object), registry: { status: registered.status, ...registered.version } },
    view: outcome.view,
  });
};
