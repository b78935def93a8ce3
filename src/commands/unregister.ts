import type { CommandRun } from "../cli/command.js";
import type { unregisterSpec } from "../cli/specs/serving.js";
import { hooksFor, method, openSession, withConnection } from "../cli/target-session.js";
import { parseModelRef } from "../model/ref.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof unregisterSpec> = async ({ args: [model, version], options }, ctx) => {
  const ref = parseModelRef(model, version);
  const session = await openSession("unregister", options, ctx, {
    defaultTimeout: "130s",
    needsServer: true,
  });
  const outcome = await withConnection(session, options, ctx, (connection) =>
    method(session, "unregister")(
      connection,
      { ref, options, timeoutMs: session.timeoutMs },
      hooksFor(ctx, undefined, options.yes),
    ),
  );
  createUi(ctx).show(outcome);
};
