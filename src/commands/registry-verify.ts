import type { CommandRun } from "../cli/command.js";
import { registryAt } from "../cli/registry.js";
import type { registryVerifySpec } from "../cli/specs/registry.js";
import { MserveError } from "../errors.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof registryVerifySpec> = async ({ options }, ctx) => {
  const { withRegistry } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const report = await withRegistry(registryAt(ctx, options.registry), (registry) =>
    registry.verify({ prune: options.prune }),
  );
  const lines = [
    ...report.problems.map(
      (p) => `${ui.err.red(p.kind)}  ${p.subject}: ${p.message}\n         fix: ${p.fix}`,
    ),
    ...report.leftovers.map(
      (p) => `${ui.err.yellow("leftover")}  ${p.subject}: ${p.message}\n         fix: ${p.fix}`,
    ),
    ...report.pruned.map((p) => `pruned  ${p}`),
  ];
  if (report.problems.length > 0) {
    if (ctx.output === "text") ctx.stderr.write(`${lines.join("\n")}\n`);
    throw new MserveError(
      "INVALID_INPUT",
      `${report.problems.length} of ${report.checked} artifact(s) failed verification`,
      {
        hint: "Follow the fix under each problem; predictions refuse these versions until then.",
        details: report,
      },
    );
  }
  ui.result({ ok: true, ...report }, () =>
    [...lines, `${report.checked} artifact(s) verified, all match their sha256`].join("\n"),
  );
};
