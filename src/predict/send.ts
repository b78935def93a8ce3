import { createHash, randomUUID } from "node:crypto";
import { MserveError } from "../errors.js";
import type { Connection } from "../targets/torchserve/connect.js";
import { appendPrediction, type PredictionRecord } from "./log.js";
import type { PredictTarget } from "./target.js";

export interface PredictOutcome {
  requestId: string;
  serverRequestId?: string;
  status: "ok" | "error";
  httpStatus?: number;
  latencyMs: number;
  response?: unknown;
  error?: MserveError;
  /** The prediction log could not be written (full or read-only disk). */
  logFailed?: boolean;
}

export function decodeResponse(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString("utf8");
  if (contentType?.includes("json") || /^\s*[[{"]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {}
  }
  return text;
}

export interface SendOptions {
  target: PredictTarget;
  groupId?: string;
  requestId?: string;
  logOutput: boolean;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * One prediction to the resolved version, logged as one JSON line whether it
 * succeeded or not. Errors are returned, not thrown, so a batch keeps going.
 */
export async function sendPrediction(
  connection: Connection,
  input: { body: Buffer; contentType: string },
  options: SendOptions,
): Promise<PredictOutcome> {
  const requestId = options.requestId ?? randomUUID();
  const sentAt = new Date().toISOString();
  const started = performance.now();
  let outcome: PredictOutcome;
  try {
    const answer = await connection.client.predict({
      name: options.target.name,
      version: options.target.version,
      body: input.body,
      contentType: input.contentType,
      requestId,
      timeoutMs: options.timeoutMs,
    });
    outcome = {
      requestId,
      ...(answer.serverRequestId && answer.serverRequestId !== requestId
        ? { serverRequestId: answer.serverRequestId }
        : {}),
      status: "ok",
      httpStatus: answer.status,
      latencyMs: round(answer.elapsedMs),
      response: decodeResponse(answer.body, answer.contentType),
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
  const record: PredictionRecord = {
    requestId,
    ...(options.groupId ? { groupId: options.groupId } : {}),
    at: sentAt,
    ...(target.model ? { modelId: target.model.id } : {}),
    name: target.name,
    ...(target.version ? { version: target.version } : {}),
    ...(target.alias ? { alias: target.alias } : {}),
    server: connection.label,
    latencyMs: outcome.latencyMs,
    status: outcome.status,
    ...(outcome.httpStatus ? { httpStatus: outcome.httpStatus } : {}),
    ...(outcome.error ? { error: { code: outcome.error.code, message: outcome.error.message } } : {}),
    inputSha256: createHash("sha256").update(input.body).digest("hex"),
    ...(options.logOutput && outcome.status === "ok" ? { output: outcome.response } : {}),
  };
  await appendPrediction(options.env, record).catch(() => {
    // A full or read-only disk must not fail the prediction itself; the caller warns once.
    outcome.logFailed = true;
  });
  return outcome;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
