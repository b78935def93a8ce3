import type { CommandRun } from "../cli/command.js";
import type { registerSpec } from "../cli/specs/serving.js";
import { method, openSession, withConnection, withProgress } from "../cli/target-session.js";
import { createUi } from "../ui/output.js";

/** The bare management call: the archive must already be in the model store or at a URL the server may fetch. */
export const run: CommandRun<typeof registerSpec> = async ({ args: [url], options }, ctx) => {
  const session = await openSession("register", options, ctx, { defaultTimeout: "180s", needsServer: true });
  const outcome = await withConnection(session, options, ctx, (connection) =>
    withProgress(ctx, `Registering ${url} on ${connection.label}`, (hooks) =>
      method(session, "register")(connection, { url, options, timeoutMs: session.timeoutMs }, hooks),
    ),
  );
  createUi(ctx).show(outcome);
};
