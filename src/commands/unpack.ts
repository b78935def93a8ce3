import { relative, resolve } from "node:path";
import { extractArchive } from "../archive/extract.js";
import type { CommandRun } from "../cli/command.js";
import type { unpackSpec } from "../cli/specs/project.js";
import { parseSize } from "../config/size.js";
import { usageError } from "../errors.js";
import { formatBytes } from "../ui/format.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof unpackSpec> = async ({ args: [archive], options }, ctx) => {
  const ui = createUi(ctx);
  if (options.outputDir !== undefined)
    ui.warn("--output-dir is the old spelling of -d/--dest; it still works for now");
  const dest = options.dest ?? options.outputDir;
  if (!dest)
    throw usageError("say where to extract: -d/--dest DIR", "e.g. mserve unpack model.mar -d ./model");
  const result = await extractArchive(resolve(ctx.cwd, archive), resolve(ctx.cwd, dest), {
    maxTotalBytes: parseSize(options.maxBytes),
    maxEntries: options.maxEntries,
    stripComponents: options.stripComponents ?? 0,
    force: Boolean(options.force),
    signal: ctx.signal,
    ...(options.maxCompressionRatio === undefined
      ? {}
      : { maxCompressionRatio: options.maxCompressionRatio }),
    ...(options.ratioMinBytes === undefined ? {} : { ratioMinBytes: options.ratioMinBytes }),
  });
  ui.result(
    result,
    () =>
      `${relative(ctx.cwd, result.destDir) || "."}: ${result.files} files, ${formatBytes(result.bytes)} (${result.kind})`,
  );
};
