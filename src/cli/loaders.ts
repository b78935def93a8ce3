import type { Context } from "../context.js";

type Loaded = { run(input: { args: unknown[]; options: unknown }, ctx: Context): Promise<void> };

/**
 * Command modules load only when their command runs, keeping `mserve --version`
 * and `--help` cheap. Keys are spec names (cli/specs).
 */
export const COMMAND_LOADERS: Record<string, () => Promise<unknown>> = {
  init: () => import("../commands/init.js"),
  package: () => import("../commands/package.js"),
  inspect: () => import("../commands/inspect.js"),
  validate: () => import("../commands/validate.js"),
  unpack: () => import("../commands/unpack.js"),
  serve: () => import("../commands/serve.js"),
  stop: () => import("../commands/stop.js"),
  ps: () => import("../commands/ps.js"),
  logs: () => import("../commands/logs.js"),
  deploy: () => import("../commands/deploy.js"),
  models: () => import("../commands/models.js"),
  register: () => import("../commands/register.js"),
  unregister: () => import("../commands/unregister.js"),
  scale: () => import("../commands/scale.js"),
  "set-default": () => import("../commands/set-default.js"),
  predict: () => import("../commands/predict.js"),
  bench: () => import("../commands/bench.js"),
  "registry push": () => import("../commands/registry-push.js"),
  "registry list": () => import("../commands/registry-list.js"),
  "registry show": () => import("../commands/registry-show.js"),
  "registry rm": () => import("../commands/registry-rm.js"),
  "registry verify": () => import("../commands/registry-verify.js"),
  "registry history": () => import("../commands/registry-history.js"),
  release: () => import("../commands/release.js"),
  rollback: () => import("../commands/rollback.js"),
  feedback: () => import("../commands/feedback.js"),
  setup: () => import("../commands/setup.js"),
  doctor: () => import("../commands/doctor.js"),
  completion: () => import("../commands/completion.js"),
};

export async function loadCommand(name: string): Promise<Loaded> {
  const load = COMMAND_LOADERS[name];
  if (!load) throw new Error(`no module for command "${name}"`);
  // Each module's run is typed over its own spec; here they are called through one door.
  return (await load()) as Loaded;
}
