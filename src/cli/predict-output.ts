import { randomUUID } from "node:crypto";
import type { Context } from "../context.js";
import { type ErrorCode, MserveError } from "../errors.js";
import { type BatchLineResult, runPredictBatch } from "../predict/run-batch.js";
import { sendPrediction } from "../predict/send.js";
import type { PredictTarget } from "../predict/target.js";
import type { Predictor, TargetConnection } from "../targets/target.js";
import { formatDuration } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";
import { formatTensors } from "../ui/tensor-text.js";

export interface PredictWhere {
  predictor: Predictor;
  target: PredictTarget;
  connection: TargetConnection;
  targetId: string;
  timeoutMs: number;
}

interface PredictFlags {
  data?: string;
  file?: string;
  json?: string;
  input: string[];
  contentType?: string;
  requestId?: string;
  groupId?: string;
  batch?: string;
  concurrency: number;
  logOutput: boolean;
}

const describe = (target: PredictTarget, version?: string) => {
  const v = target.version ?? version;
  return `${target.name}${v ? `:${v}` : ""}${target.alias ? ` (${target.alias})` : ""}`;
};

/** One prediction; the same JSON fields for every target. */
export async function predictOnce(where: PredictWhere, flags: PredictFlags, ctx: Context): Promise<void> {
  const ui = createUi(ctx);
  const { target, predictor } = where;
  const outcome = await sendPrediction(
    predictor,
    {
      data: flags.data,
      file: flags.file,
      json: flags.json,
      inputs: flags.input,
      contentType: flags.contentType,
    },
    {
      target,
      server: where.connection.label,
      targetId: where.targetId,
      groupId: flags.groupId,
      requestId: flags.requestId,
      logOutput: flags.logOutput,
      env: ctx.env,
      timeoutMs: where.timeoutMs,
    },
  );
  if (outcome.logFailed) ui.warn("could not write the prediction log under $MSERVE_HOME/logs");
  if (outcome.error) throw outcome.error;
  ui.info(
    `request ${outcome.requestId} → ${describe(target, outcome.version)} in ${formatDuration(outcome.latencyMs)}`,
  );
  ui.result(
    {
      requestId: outcome.requestId,
      ...(outcome.serverRequestId ? { serverRequestId: outcome.serverRequestId } : {}),
      ...(flags.groupId ? { groupId: flags.groupId } : {}),
      model: target.name,
      ...(outcome.version ? { version: outcome.version } : {}),
      ...(target.alias ? { alias: target.alias } : {}),
      ...(target.model ? { modelId: target.model.id } : {}),
      server: where.connection.label,
      target: where.targetId,
      status: outcome.httpStatus,
      latencyMs: outcome.latencyMs,
      response: outcome.response,
      // v2 output tensors as the protocol gives them (flat data and shape), and the files of --save.
      ...(outcome.tensors ? { outputs: outcome.tensors } : {}),
      ...(outcome.files ? { saved: outcome.files } : {}),
    },
    () =>
      outcome.tensors
        ? formatTensors(outcome.tensors, outcome.files)
        : typeof outcome.response === "string"
          ? outcome.response
          : JSON.stringify(outcome.response, null, 2),
  );
}

/** Ordered JSONL out, one line per input; failures are reported in place and summed up at the end. */
export async function predictBatch(where: PredictWhere, flags: PredictFlags, ctx: Context): Promise<void> {
  const ui = createUi(ctx);
  const { target } = where;
  const given = (["data", "file", "json", "requestId", "contentType"] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (given.length > 0 || flags.input.length > 0) {
    const key = given[0] ?? "input";
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new MserveError("USAGE", `${flag} does not go with --batch`, {
      hint: "Each line of the batch file is one input; request ids are generated per line.",
    });
  }
  const groupId = flags.groupId ?? randomUUID();
  const spinner = await startSpinner(ctx, `Predicting with ${describe(target)}`);
  const results: BatchLineResult[] = [];
  const {
    total: count,
    failedLines,
    codes,
    logFailed,
  } = await runPredictBatch(
    where.predictor,
    target,
    {
      file: flags.batch as string,
      server: where.connection.label,
      targetId: where.targetId,
      cwd: ctx.cwd,
      concurrency: flags.concurrency,
      groupId,
      logOutput: flags.logOutput,
      env: ctx.env,
      timeoutMs: where.timeoutMs,
      signal: ctx.signal,
    },
    (result, sofar) => {
      if (ctx.output === "json") results.push(result);
      else ctx.stdout.write(`${JSON.stringify(result)}\n`);
      spinner.update(`${sofar.total} done, ${sofar.failedLines.length} failed`);
    },
  );
  if (ctx.signal.aborted) throw new MserveError("INTERRUPTED", `interrupted after ${count} input(s)`);
  if (count === 0) {
    spinner.fail();
    throw new MserveError("INVALID_INPUT", `no inputs in ${flags.batch}`, {
      hint: "Write one JSON value per line (a JSON string is sent as text).",
    });
  }
  if (logFailed) ui.warn("could not write the prediction log under $MSERVE_HOME/logs");
  const summary = {
    group: groupId,
    total: count,
    ok: count - failedLines.length,
    failed: failedLines.length,
    failedLines,
  };
  const document = {
    model: target.name,
    version: target.version,
    alias: target.alias,
    server: where.connection.label,
    target: where.targetId,
    ...summary,
    results,
  };
  // -o json prints one document: the results themselves, or the error carrying them.
  if (failedLines.length === 0) {
    if (ctx.output === "json") ui.result(document, () => "");
    spinner.done(`${count} prediction(s) with ${describe(target)}, group ${groupId}`);
    return;
  }
  spinner.fail();
  const [only] = codes;
  throw new MserveError(
    codes.size === 1 && only ? (only as ErrorCode) : "SERVER_ERROR",
    `${failedLines.length} of ${count} prediction(s) failed (line${failedLines.length > 1 ? "s" : ""} ${failedLines.slice(0, 10).join(", ")}${failedLines.length > 10 ? ", …" : ""})`,
    {
      hint: "Each failure is on its own output line; the others succeeded.",
      details: ctx.output === "json" ? document : summary,
    },
  );
}
