import { createReadStream } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { z } from "zod";
import { usageError } from "../errors.js";
import { appendDurable } from "../registry/file/durable.js";
import { mserveHome } from "../runtime/home.js";

type Schemas = typeof import("./log-schema.js");
export type PredictionRecord = z.infer<Schemas["predictionSchema"]>;
export type FeedbackRecord = z.infer<Schemas["feedbackSchema"]>;
/** The schemas load only to read the log back: writing a line (every predict) does not need them. */
const schemas = (): Promise<Schemas> => import("./log-schema.js");

/** Request ids end up in headers, log lines and substring searches: keep them plain. */
export function checkRequestId(id: string): string {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(id)) {
    throw usageError(
      `invalid request id ${JSON.stringify(id)}`,
      "Use 1 to 128 letters, digits, '.', '_', ':' and '-' (a UUID is fine).",
    );
  }
  return id;
}

export const logsDir = (env: NodeJS.ProcessEnv) => join(mserveHome(env), "logs");
const day = (iso: string) => iso.slice(0, 10);
/** A log line is not worth a disk flush per prediction. */
const NO_SYNC = { sync: false };

/**
 * One JSON line per prediction in `predictions-YYYY-MM-DD.jsonl` (UTC day).
 * Each line is one write() on an O_APPEND descriptor, so parallel predicts and
 * batch workers never interleave lines; a line torn by a crash is closed first
 * so it cannot swallow the next one.
 */
export async function appendPrediction(env: NodeJS.ProcessEnv, record: PredictionRecord): Promise<void> {
  await mkdir(logsDir(env), { recursive: true });
  await appendDurable(
    join(logsDir(env), `predictions-${day(record.at)}.jsonl`),
    JSON.stringify(record),
    NO_SYNC,
  );
}

export async function appendFeedback(env: NodeJS.ProcessEnv, record: FeedbackRecord): Promise<void> {
  await mkdir(logsDir(env), { recursive: true });
  await appendDurable(
    join(logsDir(env), `feedback-${day(record.at)}.jsonl`),
    JSON.stringify(record),
    NO_SYNC,
  );
}

async function logFiles(
  env: NodeJS.ProcessEnv,
  kind: "predictions" | "feedback",
  sinceDay?: string,
): Promise<string[]> {
  const pattern = new RegExp(`^${kind}-(\\d{4}-\\d{2}-\\d{2})\\.jsonl$`);
  const names = await readdir(logsDir(env)).catch(() => [] as string[]);
  return names
    .filter((n) => {
      const m = pattern.exec(n);
      return m && (!sinceDay || (m[1] as string) >= sinceDay);
    })
    .sort()
    .map((n) => join(logsDir(env), n));
}

async function* readLines<T>(file: string, schema: z.ZodType<T>, mustContain?: string): AsyncGenerator<T> {
  const lines = createInterface({
    input: createReadStream(file, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    // The substring test skips JSON.parse for the lines that cannot match.
    if (!line || (mustContain && !line.includes(mustContain))) continue;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) yield parsed.data;
    } catch {
      // A line cut short by a crash is skipped, not fatal.
    }
  }
}

/** The logged prediction with this request id, newest day first. */
export async function findPrediction(
  env: NodeJS.ProcessEnv,
  requestId: string,
): Promise<PredictionRecord | undefined> {
  for (const file of (await logFiles(env, "predictions")).reverse()) {
    for await (const record of readLines(file, (await schemas()).predictionSchema, requestId)) {
      if (record.requestId === requestId) return record;
    }
  }
  return undefined;
}

export interface PredictionQuery {
  model?: string;
  group?: string;
  since?: Date;
  /** Keep only the newest N; memory stays bounded by N, not by the log size. */
  limit: number;
}

export type PredictionWithFeedback = PredictionRecord & { feedback?: Omit<FeedbackRecord, "requestId"> };

export async function queryPredictions(
  env: NodeJS.ProcessEnv,
  query: PredictionQuery,
): Promise<{ records: PredictionWithFeedback[]; matched: number }> {
  const sinceIso = query.since?.toISOString();
  const kept: PredictionRecord[] = [];
  let matched = 0;
  for (const file of await logFiles(env, "predictions", sinceIso ? day(sinceIso) : undefined)) {
    for await (const r of readLines(file, (await schemas()).predictionSchema, query.group ?? query.model)) {
      if (sinceIso && r.at < sinceIso) continue;
      if (query.model && r.name !== query.model && r.modelId !== query.model) continue;
      if (query.group && r.groupId !== query.group) continue;
      matched++;
      kept.push(r);
      if (kept.length > query.limit) kept.shift();
    }
  }
  const wanted = new Set(kept.map((r) => r.requestId));
  const feedback = new Map<string, FeedbackRecord>();
  const firstDay = kept[0] ? day(kept[0].at) : undefined;
  if (firstDay) {
    for (const file of await logFiles(env, "feedback", firstDay)) {
      for await (const f of readLines(file, (await schemas()).feedbackSchema))
        if (wanted.has(f.requestId)) feedback.set(f.requestId, f);
    }
  }
  return {
    matched,
    records: kept.map((r) => {
      const f = feedback.get(r.requestId);
      return f
        ? {
            ...r,
            feedback: { at: f.at, by: f.by, label: f.label, ...(f.comment ? { comment: f.comment } : {}) },
          }
        : r;
    }),
  };
}
