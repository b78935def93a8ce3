import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { unregisterModel } from "../targets/torchserve/manage.js";
import { formatRef, parseModelRef } from "../targets/torchserve/model-ref.js";
import { confirm } from "../ui/confirm.js";
import { createUi } from "../ui/output.js";
import { withConnection } from "./support/connection.js";
import { isTriton } from "./support/triton.js";
import { tritonUnload } from "./support/triton-ops.js";

const flagsSchema = z.object({ yes: z.boolean().optional(), keepArchive: z.boolean().optional() });

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  if (await isTriton(rawOptions, ctx)) return tritonUnload(positional, rawOptions, ctx);
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const ref = parseModelRef(positional[0] as string, positional[1]);
  const result = await withConnection(rawOptions, ctx, "130s", (connection) =>
    unregisterModel(connection, ref, {
      keepArchive: flags.keepArchive,
      confirm: (version) =>
        confirm(ctx, `unregister ${ref.name}:${version} from ${connection.label}`, flags.yes),
    }),
  );
  ui.result(result, () => `unregistered ${formatRef({ name: result.name, version: result.version })}`);
};
