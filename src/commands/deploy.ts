import { resolve } from "node:path";
import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { deploySpec } from "../cli/specs/serving.js";
import { method, openSession, withConnection, withProgress } from "../cli/target-session.js";
import { findProject } from "../config/find-project.js";
import type { Context } from "../context.js";
import { pathExists } from "../files.js";
import { parseRef, resolveRef } from "../registry/resolve.js";
import type { ModelVersion } from "../registry/types.js";
import type { DeploySource } from "../targets/target.js";
import { createUi } from "../ui/output.js";

/**
 * `deploy intent@PROD` (or `intent:3`, `intent PROD`, `--id`): an argument that
 * is not a file names a registry version, whose artifact is fetched (hash checked).
 */
async function fromRegistry(
  [first, second]: (string | undefined)[],
  options: { id?: string; registry?: string },
  ctx: Context,
): Promise<{ path: string; model: ModelVersion; alias?: string } | undefined> {
  if (!options.id && (!first || (await pathExists(resolve(ctx.cwd, first))))) return undefined;
  if (!options.id && second === undefined && !/[:@]/.test(first as string)) return undefined;
  // The registry's code loads only for a registry reference, not for every deploy of a file.
  const { withRegistry } = await import("../registry/open.js");
  return withRegistry(registryAt(ctx, options.registry), async (registry) => {
    const { model, alias } = await resolveRef(registry, parseRef(first, second, options.id));
    return { path: await registry.localArtifact(model, ctx.signal), model, ...(alias ? { alias } : {}) };
  });
}

export const run: CommandRun<typeof deploySpec> = async ({ args, options }, ctx) => {
  const registered = await fromRegistry(args, options, ctx);
  const session = await openSession("deploy", options, ctx, {
    defaultTimeout: "180s",
    needsServer: true,
    modelTarget: registered?.model.target,
  });
  const [artifact] = args;
  const source: DeploySource = registered
    ? { kind: "registry", ...registered }
    : artifact
      ? { kind: "path", path: resolve(ctx.cwd, artifact) }
      : { kind: "project", project: await findProject(options, ctx.cwd) };
  const outcome = await withConnection(session, options, ctx, async (connection) => {
    // A different artifact under the version is exit 5 naming both digests, unless --replace swaps it.
    if (registered && !options.replace) {
      const { checkExact } = await import("../release/exact.js");
      const label = registered.alias
        ? `${registered.model.name}@${registered.alias}`
        : `${registered.model.name}:${registered.model.version}`;
      await checkExact(session.adapter, connection, {
        model: registered.model,
        label,
        alias: registered.alias,
      });
    }
    return withProgress(ctx, `Deploying to ${connection.label}`, (hooks) =>
      method(session, "deploy")(connection, { source, options, timeoutMs: session.timeoutMs }, hooks),
    );
  });
  createUi(ctx).show(outcome);
};
