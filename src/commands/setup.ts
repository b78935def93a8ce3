import type { CommandRun } from "../cli/command.js";
import type { setupSpec } from "../cli/specs/servers.js";
import { withProgress } from "../cli/target-session.js";
import { setupRuntime } from "../setup/install.js";
import { RUNTIMES } from "../setup/runtimes.js";
import { createUi } from "../ui/output.js";
import { fields } from "../ui/view.js";

export const run: CommandRun<typeof setupSpec> = async ({ args: [name], options }, ctx) => {
  const spec = RUNTIMES[name];
  if (!spec) throw new Error(`no runtime spec for ${name}`);
  const result = await withProgress(ctx, `Setting up the ${name} runtime`, async (hooks) => {
    const done = await setupRuntime({
      name,
      spec,
      env: ctx.env,
      python: options.python,
      upgrade: Boolean(options.upgrade),
      signal: ctx.signal,
      onStep: hooks.step,
    });
    return { ...done, summary: `${name} runtime ${done.status} (${done.path})` };
  });
  const { summary: _summary, ...data } = result;
  createUi(ctx).show({
    data,
    view: {
      quiet: data.path,
      blocks: [
        fields(`${name}  ${data.status}`, [
          ["path", data.path],
          ["python", `${data.python} (${data.pythonVersion})`],
          ["packages", data.packages.join(" ")],
          ["next", data.next],
        ]),
      ],
    },
  });
};
