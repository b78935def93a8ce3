import { relative, resolve } from "node:path";
import { z } from "zod";
import { extractArchive } from "../archive/extract.js";
import type { CommandRun } from "../command-tree.js";
import { usageError } from "../errors.js";
import { formatBytes } from "../ui/format.js";
import { createUi } from "../ui/output.js";

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** "20GiB", "500MB", "1024" → bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = match ? UNITS[(match[2] ?? "").toLowerCase()] : undefined;
  if (!match || factor === undefined)
    throw usageError(`invalid size "${text}"`, "Use a number with an optional unit, e.g. 500MB or 20GiB.");
  return Math.floor(Number(match[1]) * factor);
}

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
