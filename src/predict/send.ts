import { createHash, randomUUID } from "node:crypto";
import { MserveError } from "../errors.js";
import type { EncodedRequest, PredictInput, Predictor, PredictTensor } from "../targets/target.js";
import { appendPrediction, type PredictionRecord } from "./log.js";
import type { PredictTarget } from "./target.js";

export interface PredictOutcome {
  requestId: string;
  serverRequestId?: string;
  status: "ok" | "error";
  httpStatus?: number;
  latencyMs: number;
  /** The version that answered, as far as known. */
  version?: string;
  response?: unknown;
  tensors?: PredictTensor[];
  files?: string[];
  error?: MserveError;
  /** The prediction log could not be written (full or read-only disk). */
  logFailed?: boolean;
}

export interface SendOptions {
  target: PredictTarget;
  /** Which server answered: its label, and the target id. */
  server: string;
  targetId: string;
  groupId?: string;
  requestId?: string;
  logOutput: boolean;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * One prediction to the resolved version, on any target, logged as one JSON
 * line whether it succeeded or not. Errors are returned, not thrown, so a batch
 * keeps going; an input the target cannot encode is not sent and not logged.
 */
export async function sendPrediction(
  predictor: Predictor,
  input: PredictInput | EncodedRequest,
  options: SendOptions,
): Promise<PredictOutcome> {
  const requestId = options.requestId ?? randomUUID();
  let encoded: EncodedRequest;
  try {
    encoded = "body" in input ? input : await predictor.encode(input);
  } catch (error) {
    if (!(error instanceof MserveError) || error.code === "INTERRUPTED") throw error;
    return { requestId, status: "error", latencyMs: 0, error };
  }
  const sentAt = new Date().toISOString();
  const started = performance.now();
  let outcome: PredictOutcome;
  try {
    const answer = await predictor.send(encoded, requestId, options.timeoutMs ?? 60_000);
    const version = answer.version ?? options.target.version ?? predictor.version;
    outcome = {
      requestId,
      ...(answer.serverRequestId && answer.serverRequestId !== requestId
        ? { serverRequestId: answer.serverRequestId }
        : {}),
      status: "ok",
      httpStatus: answer.httpStatus,
      latencyMs: round(answer.elapsedMs),
      ...(version ? { version } : {}),
      response: answer.response,
      ...(answer.tensors ? { tensors: answer.tensors } : {}),
      ...(answer.files ? { files: answer.files } : {}),
    };
  } catch (error) {
    if (!(error instanceof MserveError) || error.code === "INTERRUPTED") throw error;
    const status = (error.details as { status?: number } | undefined)?.status;
    outcome = {
      requestId,
      status: "error",
      ...(status ? { httpStatus: status } : {}),
      latencyMs: round(performance.now() - started),
      error,
    };
  }
  const { target } = options;
  const version = outcome.version ?? target.version;
  const record: PredictionRecord = {
    requestId,
    ...(options.groupId ? { groupId: options.groupId } : {}),
    at: sentAt,
    ...(target.model ? { modelId: target.model.id } : {}),
    name: target.name,
    ...(version ? { version } : {}),
    ...(target.alias ? { alias: target.alias } : {}),
    server: options.server,
    target: options.targetId,
    latencyMs: outcome.latencyMs,
    status: outcome.status,
    ...(outcome.httpStatus ? { httpStatus: outcome.httpStatus } : {}),
    ...(outcome.error ? { error: { code: outcome.error.code, message: outcome.error.message } } : {}),
    inputSha256: createHash("sha256").update(encoded.body).digest("hex"),
    ...(options.logOutput && outcome.status === "ok" ? { output: outcome.response } : {}),
  };
  await appendPrediction(options.env, record).catch(() => {
    // A full or read-only disk must not fail the prediction itself; the caller warns once.
    outcome.logFailed = true;
  });
  return outcome;
}
