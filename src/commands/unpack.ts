import { relative, resolve } from "node:path";
import { z } from "zod";
import { extractArchive } from "../archive/extract.js";
import type { CommandRun } from "../command-tree.js";
import { parseSize } from "../config/size.js";
import { usageError } from "../errors.js";
import { formatBytes } from "../ui/format.js";
import { createUi } from "../ui/output.js";

const optionsSchema = z.object({
  outputDir: z.string(),
  maxBytes: z.string(),
  maxEntries: z.string().regex(/^\d+$/, "--max-entries must be a whole number"),
  stripComponents: z.string().regex(/^\d+$/, "--strip-components must be a whole number").optional(),
  force: z.boolean().optional(),
});

export const run: CommandRun = async ([archive], rawOptions, ctx) => {
  const parsed = optionsSchema.safeParse(rawOptions);
  if (!parsed.success) throw usageError(parsed.error.issues[0]?.message ?? "invalid options");
  const options = parsed.data;
  const ui = createUi(ctx);
  const result = await extractArchive(
    resolve(ctx.cwd, archive as string),
    resolve(ctx.cwd, options.outputDir),
    {
      maxTotalBytes: parseSize(options.maxBytes),
      maxEntries: Number(options.maxEntries),
      stripComponents: options.stripComponents === undefined ? 0 : Number(options.stripComponents),
      force: Boolean(options.force),
      signal: ctx.signal,
    },
  );
  ui.result(
    result,
    () =>
      `${relative(ctx.cwd, result.destDir) || "."}: ${result.files} files, ${formatBytes(result.bytes)} (${result.kind})`,
  );
};
