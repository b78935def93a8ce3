import { parseConcurrency } from "../bench/concurrency.js";
import { chart, errorCount, levelRows, toCsv } from "../bench/report.js";
import type { CommandRun } from "../cli/command.js";
import type { benchSpec } from "../cli/specs/serving.js";
import { method, openSession, withConnection } from "../cli/target-session.js";
import { parseDuration } from "../config/duration.js";
import { MserveError, usageError } from "../errors.js";
import { formatRef } from "../model/ref.js";
import { exactly, resolveNamedModel } from "../predict/target.js";
import { formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";

export const run: CommandRun<typeof benchSpec> = async ({ args, options }, ctx) => {
  const ui = createUi(ctx);
  const concurrency = parseConcurrency(options.concurrency);
  if (!concurrency)
    throw usageError(`invalid --concurrency "${options.concurrency}"`, "Use e.g. 1,2,4,8 (1 to 1024).");
  if (options.duration && options.requests) throw usageError("give --duration or --requests, not both");
  const rate = options.rate === undefined ? undefined : Number(options.rate);
  if (rate !== undefined && !(rate > 0))
    throw usageError(`invalid --rate "${options.rate}"`, "Requests per second, e.g. 50.");
  const plan = {
    concurrency,
    durationMs: options.requests ? undefined : parseDuration(options.duration ?? "20s", "--duration"),
    requests: options.requests,
    warmupMs: parseDuration(options.warmup, "--warmup"),
    rate,
  };
  const requestTimeoutMs = parseDuration(options.requestTimeout, "--request-timeout");
  const inputs = options.batch
    ? await (await import("../bench/inputs.js")).readBatchBodies(options.batch, ctx.cwd)
    : [
        {
          data: options.data,
          file: options.file,
          json: options.json,
          inputs: options.input,
          contentType: options.contentType,
        },
      ];
  const named = await resolveNamedModel(args, options, ctx);
  const ref = { name: named.name, ...(named.version ? { version: named.version } : {}) };
  const session = await openSession("bench", options, ctx, {
    defaultTimeout: "30s",
    needsServer: true,
    modelTarget: named.model?.target,
  });

  const result = await withConnection(session, options, ctx, async (connection) => {
    if (named.model) await exactly(session.adapter, connection, named);
    const spinner = await startSpinner(ctx, `Benchmarking ${formatRef(ref)} on ${connection.label}`);
    try {
      const predictor = await method(session, "predictor")(connection, { ...ref, options, cwd: ctx.cwd });
      // The load engine (and its histogram package) loads only once there is a server to measure.
      const { benchModel } = await import("../bench/model-bench.js");
      const bench = await benchModel(predictor, { name: ref.name, server: connection.label }, inputs, plan, {
        requestTimeoutMs,
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
    target: session.chosen.id,
    mode: rate ? "open-loop" : "closed-loop",
    ...plan,
    interrupted: result.interrupted,
    levels: result.levels,
  };
  if (options.csv) {
    const { writeFileAtomic } = await import("../archive/atomic-output.js");
    await writeFileAtomic(options.csv, toCsv(result.levels));
  }
  const table = levelRows(result.levels);
  const text = () =>
    result.levels.length === 0
      ? "no requests completed"
      : `${formatTable(table.header, table.rows, [1, 3, 4, 5, 6, 7, 8])}\n\n${chart(result.levels)}`;
  const failed = result.levels.reduce((n, l) => n + errorCount(l), 0);
  // One JSON document: when the run did not succeed, the figures travel in the error's details.
  const fail = (error: MserveError) => {
    if (ctx.output === "text") ctx.stdout.write(`${text()}\n`);
    throw error;
  };
  if (result.interrupted)
    fail(
      new MserveError("INTERRUPTED", "interrupted: figures above cover what was measured", {
        details: document,
      }),
    );
  if (result.levels.every((l) => l.ok === 0)) {
    fail(
      new MserveError("SERVER_ERROR", "no request succeeded", {
        hint: `Try one by hand: mserve predict ${formatRef(ref)} …`,
        details: document,
      }),
    );
  }
  ui.result(document, text);
  if (failed > 0) ui.warn(`${failed} request(s) failed; see the ERRORS column`);
};
