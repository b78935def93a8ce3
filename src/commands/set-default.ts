import type { CommandRun } from "../cli/command.js";
import type { setDefaultSpec } from "../cli/specs/serving.js";
import { method, openSession, withConnection } from "../cli/target-session.js";
import { parseModelRef } from "../model/ref.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof setDefaultSpec> = async ({ args: [model, version], options }, ctx) => {
  const ref = parseModelRef(model, version);
  const session = await openSession("set-default", options, ctx, {
    defaultTimeout: "30s",
    needsServer: true,
  });
  const outcome = await withConnection(session, options, ctx, (connection) =>
    method(session, "setDefault")(connection, { ref, options, timeoutMs: session.timeoutMs }),
  );
  createUi(ctx).show(outcome);
};
