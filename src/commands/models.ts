import type { CommandRun } from "../cli/command.js";
import type { modelsSpec } from "../cli/specs/serving.js";
import { method, openSession, withConnection } from "../cli/target-session.js";
import { exactly, resolveNamedModel } from "../predict/target.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof modelsSpec> = async ({ args, options }, ctx) => {
  const named = args[0] || options.id ? await resolveNamedModel(args, options, ctx) : undefined;
  const session = await openSession("models", options, ctx, {
    defaultTimeout: "30s",
    needsServer: true,
    modelTarget: named?.model?.target,
  });
  const ref = named && { name: named.name, ...(named.version ? { version: named.version } : {}) };
  const outcome = await withConnection(session, options, ctx, async (connection) => {
    if (named?.model) await exactly(session.adapter, connection, named);
    return method(session, "models")(connection, { ...(ref ? { ref } : {}), options });
  });
  createUi(ctx).show(outcome);
};
