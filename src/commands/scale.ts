import type { CommandRun } from "../cli/command.js";
import type { scaleSpec } from "../cli/specs/serving.js";
import { method, openSession, withConnection, withProgress } from "../cli/target-session.js";
import { formatRef, parseModelRef } from "../model/ref.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof scaleSpec> = async ({ args: [model, version], options }, ctx) => {
  const ref = parseModelRef(model, version);
  const session = await openSession("scale", options, ctx, { defaultTimeout: "120s", needsServer: true });
  const outcome = await withConnection(session, options, ctx, (connection) =>
    withProgress(ctx, `Scaling ${formatRef(ref)} on ${connection.label}`, (hooks) =>
      method(session, "scale")(connection, { ref, options, timeoutMs: session.timeoutMs }, hooks),
    ),
  );
  createUi(ctx).show(outcome);
};
