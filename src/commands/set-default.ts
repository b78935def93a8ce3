import type { CommandRun } from "../command-tree.js";
import { usageError } from "../errors.js";
import { parseModelRef } from "../targets/torchserve/model-ref.js";
import { createUi } from "../ui/output.js";
import { withConnection } from "./support/connection.js";

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const ui = createUi(ctx);
  const ref = parseModelRef(positional[0] as string, positional[1]);
  if (!ref.version)
    throw usageError("set-default needs a version", "For example: mserve set-default intent 2");
  const message = await withConnection(rawOptions, ctx, "30s", ({ client }) =>
    client.setDefault(ref.name, ref.version as string),
  );
  ui.result(
    { name: ref.name, defaultVersion: ref.version, message },
    () => `${ref.name}: default version is now ${ref.version}`,
  );
};
