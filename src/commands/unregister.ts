import { rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { formatRef, parseModelRef } from "../targets/torchserve/model-ref.js";
import { isStoreFileOfMserve } from "../targets/torchserve/model-store.js";
import { confirm } from "../ui/confirm.js";
import { createUi } from "../ui/output.js";
import { withConnection } from "./support/connection.js";

const flagsSchema = z.object({ yes: z.boolean().optional(), keepArchive: z.boolean().optional() });

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const ref = parseModelRef(positional[0] as string, positional[1]);
  const result = await withConnection(rawOptions, ctx, "130s", async ({ client, label, modelStore }) => {
    // Describe first: an unknown model fails here (exit 4) before anyone is asked anything.
    const [model] = await client.describe(ref.name, ref.version);
    const version = model?.modelVersion ?? ref.version;
    await confirm(ctx, `unregister ${ref.name}:${version} from ${label}`, flags.yes);
    const message = await client.unregister(ref.name, version);
    // Archives deploy put in the store are mserve's to clean up; TorchServe leaves plain store files.
    let removedArchive: string | undefined;
    if (!flags.keepArchive && modelStore && model && isStoreFileOfMserve(model.modelUrl)) {
      await rm(join(modelStore, model.modelUrl), { force: true });
      removedArchive = model.modelUrl;
    }
    return { name: ref.name, version, message, removedArchive };
  });
  ui.result(result, () => `unregistered ${formatRef({ name: result.name, version: result.version })}`);
};
