import { z } from "zod";
import { writeFileAtomic } from "../archive/atomic-output.js";
import type { RequestBody } from "../bench/http-sender.js";
import { readBatchBodies } from "../bench/inputs.js";
import { chart, errorCount, levelRows, toCsv } from "../bench/report.js";
import { parseConcurrency } from "../bench/run.js";
import { benchTorchServeModel } from "../bench/torchserve-bench.js";
import type { CommandRun } from "../command-tree.js";
import { parseDuration } from "../config/duration.js";
import { wholeNumber } from "../config/server-flags.js";
import { MserveError, usageError } from "../errors.js";
import { readPredictInput } from "../predict/input.js";
import { formatRef } from "../targets/torchserve/model-ref.js";
import { formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";
import { withConnection } from "./support/connection.js";
import { resolveServerModel } from "./support/model-target.js";

const flagsSchema = z.object({
  data: z.string().optional(),
  file: z.string().optional(),
  json: z.string().optional(),
  batch: z.string().optional(),
  contentType: z.string().optional(),
  concurrency: z.string().default("1,2,4,8,16"),
  duration: z.string().optional(),
  requests: wholeNumber("--requests", 1),
  warmup: z.string().default("3s"),
  rate: z.string().optional(),
  requestTimeout: z.string().default("30s"),
  csv: z.string().optional(),
});

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const target = await resolveServerModel(positional, rawOptions, ctx);
  const ref = { name: target.name, ...(target.version ? { version: target.version } : {}) };
  const concurrency = parseConcurrency(flags.concurrency);
  if (!concurrency)
    throw usageError(`invalid --concurrency "${flags.concurrency}"`, "Use e.g. 1,2,4,8 (1 to 1024).");
  if (flags.duration && flags.requests) throw usageError("give --duration or --requests, not both");
  const rate = flags.rate === undefined ? undefined : Number(flags.rate);
  if (rate !== undefined && !(rate > 0))
    throw usageError(`invalid --rate "${flags.rate}"`, "Requests per second, e.g. 50.");
  const plan = {
    concurrency,
    durationMs: flags.requests ? undefined : parseDuration(flags.duration ?? "20s", "--duration"),
    requests: flags.requests,
    warmupMs: parseDuration(flags.warmup, "--warmup"),
    rate,
  };
  const bodies: RequestBody[] = flags.batch
    ? await readBatchBodies(flags.batch, ctx.cwd)
    : [await readPredictInput(flags, ctx.cwd)];

  const result = await withConnection(rawOptions, ctx, "30s", async (connection) => {
    const spinner = await startSpinner(ctx, `Benchmarking ${formatRef(ref)} on ${connection.label}`);
    try {
      const bench = await benchTorchServeModel(connection, ref, bodies, plan, {
        requestTimeoutMs: parseDuration(flags.requestTimeout, "--request-timeout"),
        signal: ctx.signal,
        onLevelStart: (c) => spinner.update(`concurrency ${c}${rate ? ` at ${rate}/s` : ""}`),
      });
      spinner.done(`Benchmarked ${formatRef(ref)}: ${bench.levels.length} level(s)`);
      return bench;
    } catch (error) {
      spinner.fail();
      throw error;
    }
  });

  const document = {
    model: result.model,
    version: result.version,
    server: result.server,
    mode: rate ? "open-loop" : "closed-loop",
    ...plan,
    interrupted: result.interrupted,
    levels: result.levels,
  };
  if (flags.csv) await writeFileAtomic(flags.csv, toCsv(result.levels));
  const table = levelRows(result.levels);
  const text = () =>
    result.levels.length === 0
      ? "no requests completed"
      : `${formatTable(table.header, table.rows, [1, 3, 4, 5, 6, 7, 8])}\n\n${chart(result.levels)}`;
  if (result.interrupted) {
    if (ctx.output === "text") ctx.stdout.write(`${text()}\n`);
    // One JSON document: the figures measured so far travel in the error's details.
    throw new MserveError("INTERRUPTED", "interrupted: figures above cover what was measured", {
      details: document,
    });
  }
  ui.result(document, text);
  const failed = result.levels.reduce((n, l) => n + errorCount(l), 0);
  if (failed > 0) ui.warn(`${failed} request(s) failed; see the ERRORS column`);
  if (result.levels.every((l) => l.ok === 0)) {
    throw new MserveError("SERVER_ERROR", "no request succeeded", {
      hint: `Try one by hand: mserve predict ${formatRef(ref)} …`,
    });
  }
};
