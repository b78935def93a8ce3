import { MserveError } from "../errors.js";
import type { Predictor } from "../targets/target.js";
import { type BatchInput, readBatchInputs, runOrdered } from "./batch.js";
import { type PredictOutcome, sendPrediction } from "./send.js";
import type { PredictTarget } from "./target.js";

/** One output line of `predict --batch`: what happened to one input line. */
export type BatchLineResult =
  | { line: number; requestId: string; status: "error"; error: { code: string; message: string } }
  | { line: number; requestId: string; status: "ok"; latencyMs: number; response: unknown };

const lineResult = (outcome: PredictOutcome, line: number): BatchLineResult =>
  outcome.error
    ? {
        line,
        requestId: outcome.requestId,
        status: "error",
        error: { code: outcome.error.code, message: outcome.error.message },
      }
    : {
        line,
        requestId: outcome.requestId,
        status: "ok",
        latencyMs: outcome.latencyMs,
        response: outcome.response,
      };

/** Consecutive connection failures after which a batch stops sending: the server is gone, not one request. */
export const GIVE_UP_AFTER = 5;

export interface BatchOptions {
  file: string;
  /** Which server answers: its label, and the target id (for the log). */
  server: string;
  targetId: string;
  cwd: string;
  concurrency: number;
  groupId: string;
  logOutput: boolean;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface BatchSummary {
  total: number;
  failedLines: number[];
  /** Error codes seen, to pick the exit code when all failures agree. */
  codes: Set<string>;
  logFailed: boolean;
}

/**
 * Sends every input of a JSONL file to the resolved version, `concurrency` at a
 * time, and hands each result to `onLine` in input order. A line that fails
 * (bad JSON, a server error) is reported in its place; the batch goes on.
 */
export async function runPredictBatch(
  predictor: Predictor,
  target: PredictTarget,
  options: BatchOptions,
  onLine: (result: BatchLineResult, summary: BatchSummary) => void,
): Promise<BatchSummary> {
  const summary: BatchSummary = { total: 0, failedLines: [], codes: new Set(), logFailed: false };
  let unreachableInARow = 0;
  let gaveUp: MserveError | undefined;
  const send = async (item: BatchInput): Promise<PredictOutcome> => {
    if (item.error) return { requestId: "", status: "error", latencyMs: 0, error: item.error };
    if (gaveUp) return { requestId: "", status: "error", latencyMs: 0, error: gaveUp };
    const outcome = await sendPrediction(predictor, item.input ?? {}, {
      target,
      server: options.server,
      targetId: options.targetId,
      groupId: options.groupId,
      logOutput: options.logOutput,
      env: options.env,
      timeoutMs: options.timeoutMs,
    });
    if (outcome.error?.code === "UNREACHABLE") {
      unreachableInARow++;
      // Lines in flight finish; the rest are reported as not sent, in order, without waiting on a dead server.
      if (unreachableInARow >= GIVE_UP_AFTER && !gaveUp)
        gaveUp = new MserveError(
          "UNREACHABLE",
          `not sent: ${GIVE_UP_AFTER} predictions in a row could not reach the server (${outcome.error.message})`,
          { hint: outcome.error.hint },
        );
    } else if (outcome.status === "ok") unreachableInARow = 0;
    return outcome;
  };
  await runOrdered(
    readBatchInputs(options.file, options.cwd),
    options.concurrency,
    send,
    (outcome, item) => {
      summary.total++;
      summary.logFailed ||= Boolean(outcome.logFailed);
      if (outcome.error) {
        summary.failedLines.push(item.line);
        summary.codes.add(outcome.error.code);
      }
      onLine(lineResult(outcome, item.line), summary);
    },
    options.signal,
  );
  return summary;
}
