import type { CommandRun } from "../cli/command.js";
import type { serveSpec } from "../cli/specs/servers.js";
import { hooksFor, method, openSession, withProgress } from "../cli/target-session.js";
import { createExec } from "../doctor/exec.js";
import { probeGpus, selectGpus } from "../runtime/gpus.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof serveSpec> = async ({ options }, ctx) => {
  const ui = createUi(ctx);
  const session = await openSession("serve", options, ctx, { defaultTimeout: "120s", needsServer: false });
  const serve = method(session, "serve");
  // Chosen once for every target: the flag, else what nvidia-smi lists here.
  const gpus = selectGpus(
    options.gpus,
    await probeGpus(createExec(ctx.env, { signal: ctx.signal }), ctx.env),
  );
  const request = {
    name: options.name ?? serve.defaultName,
    runtime: options.runtime,
    ports: options.ports,
    image: options.image,
    modelStore: options.modelStore,
    wait: options.wait,
    timeoutMs: session.timeoutMs,
    gpus,
    options,
    onDebug: ctx.debug ? (line: string) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
  };
  const plan = await serve.plan(request, hooksFor(ctx), Boolean(options.dryRun));
  if (options.dryRun) return ui.show(plan.preview);
  const started = await withProgress(
    ctx,
    `Starting ${session.chosen.descriptor.title} ${request.name} (${request.runtime})`,
    (hooks) => plan.start(hooks),
  );
  for (const note of started.notes ?? []) ui.info(note);
  ui.show(started);
};
