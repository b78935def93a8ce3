import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  appendFeedback,
  appendPrediction,
  findPrediction,
  logsDir,
  type PredictionRecord,
  queryPredictions,
} from "../../../src/predict/log.js";
import { tempDirs } from "./helpers.js";

const temp = tempDirs("prediction-log");

const record = (requestId: string, at: string, extra: Partial<PredictionRecord> = {}): PredictionRecord => ({
  requestId,
  at,
  name: "intent",
  server: "ts1",
  latencyMs: 12.5,
  status: "ok",
  httpStatus: 200,
  inputSha256: "a".repeat(64),
  output: { label: "greet" },
  ...extra,
});

/** A log home with r1 (intent, 23rd), r2 (intent, group g1, 24th), r3 (other, group g1, 24th). */
async function threeRecords() {
  const env = { MSERVE_HOME: await temp() };
  await appendPrediction(
    env,
    record("r1", "2026-11-23T22:00:00.000Z", { modelId: "abc123defg", version: "1" }),
  );
  await appendPrediction(env, record("r2", "2026-11-24T08:00:00.000Z", { groupId: "g1", alias: "PROD" }));
  await appendPrediction(env, record("r3", "2026-11-24T09:30:00.000Z", { groupId: "g1", name: "other" }));
  return env;
}

describe("appendPrediction", () => {
  it("writes one JSON line per record into a file per UTC day", async () => {
    const env = await threeRecords();
    const dir = logsDir(env);
    expect(dir).toBe(join(env.MSERVE_HOME, "logs"));
    expect((await readdir(dir)).sort()).toEqual([
      "predictions-2026-11-23.jsonl",
      "predictions-2026-11-24.jsonl",
    ]);
    const day2 = (await readFile(join(dir, "predictions-2026-11-24.jsonl"), "utf8")).split("\n");
    expect(day2).toHaveLength(3);
    expect(day2[2]).toBe("");
    expect(JSON.parse(day2[0] as string)).toEqual(
      record("r2", "2026-11-24T08:00:00.000Z", { groupId: "g1", alias: "PROD" }),
    );
  });
});

describe("findPrediction", () => {
  it("finds a record by request id in any day's file", async () => {
    const env = await threeRecords();
    expect(await findPrediction(env, "r1")).toMatchObject({ requestId: "r1", modelId: "abc123defg" });
    expect(await findPrediction(env, "r3")).toMatchObject({ requestId: "r3", name: "other" });
    expect(await findPrediction(env, "r4")).toBeUndefined();
    expect(await findPrediction({ MSERVE_HOME: await temp() }, "r1")).toBeUndefined();
  });

  it("does not match a request id that is only a prefix of another", async () => {
    const env = { MSERVE_HOME: await temp() };
    await appendPrediction(env, record("req-10", "2026-11-24T08:00:00.000Z"));
    expect(await findPrediction(env, "req-1")).toBeUndefined();
  });
});

describe("queryPredictions", () => {
  it("returns every record oldest first, counting matches", async () => {
    const env = await threeRecords();
    const { records, matched } = await queryPredictions(env, { limit: 100 });
    expect(matched).toBe(3);
    expect(records.map((r) => r.requestId)).toEqual(["r1", "r2", "r3"]);
  });

  it("filters by model name or model id, by group and by time", async () => {
    const env = await threeRecords();
    const ids = async (query: Parameters<typeof queryPredictions>[1]) =>
      (await queryPredictions(env, query)).records.map((r) => r.requestId);
    expect(await ids({ model: "intent", limit: 100 })).toEqual(["r1", "r2"]);
    expect(await ids({ model: "abc123defg", limit: 100 })).toEqual(["r1"]);
    expect(await ids({ group: "g1", limit: 100 })).toEqual(["r2", "r3"]);
    expect(await ids({ group: "g1", model: "other", limit: 100 })).toEqual(["r3"]);
    expect(await ids({ since: new Date("2026-11-24T00:00:00Z"), limit: 100 })).toEqual(["r2", "r3"]);
    expect(await ids({ since: new Date("2026-11-24T09:00:00Z"), limit: 100 })).toEqual(["r3"]);
    expect(await ids({ since: new Date("2026-11-23T21:00:00Z"), limit: 100 })).toEqual(["r1", "r2", "r3"]);
    expect(await ids({ model: "nothing", limit: 100 })).toEqual([]);
  });

  it("keeps only the newest `limit` records but counts every match", async () => {
    const env = await threeRecords();
    const { records, matched } = await queryPredictions(env, { limit: 2 });
    expect(matched).toBe(3);
    expect(records.map((r) => r.requestId)).toEqual(["r2", "r3"]);
  });

  it("joins feedback, the latest one winning", async () => {
    const env = await threeRecords();
    await appendFeedback(env, { requestId: "r1", at: "2026-11-24T10:00:00.000Z", by: "ann", label: "wrong" });
    await appendFeedback(env, { requestId: "r2", at: "2026-11-24T10:05:00.000Z", by: "bob", label: "ok" });
    await appendFeedback(env, {
      requestId: "r1",
      at: "2026-11-25T07:00:00.000Z",
      by: "cy",
      label: "right",
      comment: "re-checked",
    });
    expect((await readdir(logsDir(env))).filter((n) => n.startsWith("feedback-")).sort()).toEqual([
      "feedback-2026-11-24.jsonl",
      "feedback-2026-11-25.jsonl",
    ]);
    const { records } = await queryPredictions(env, { limit: 100 });
    expect(records[0]?.feedback).toEqual({
      at: "2026-11-25T07:00:00.000Z",
      by: "cy",
      label: "right",
      comment: "re-checked",
    });
    expect(records[1]?.feedback).toEqual({ at: "2026-11-24T10:05:00.000Z", by: "bob", label: "ok" });
    expect(records[2]?.feedback).toBeUndefined();
    expect(records[2]).not.toHaveProperty("feedback");
  });

  it("is empty when nothing was logged", async () => {
    expect(await queryPredictions({ MSERVE_HOME: await temp() }, { limit: 10 })).toEqual({
      records: [],
      matched: 0,
    });
  });
});

describe("damaged log lines", () => {
  it("skips a torn line, a line of another shape and foreign files", async () => {
    const env = await threeRecords();
    const file = join(logsDir(env), "predictions-2026-11-24.jsonl");
    await appendFile(file, '{"requestId":"r9","at":"2026-11-24T11:00:00.000Z","name":"int\n');
    await appendFile(file, '{"requestId":"r8"}\n');
    await appendPrediction(env, record("r4", "2026-11-24T12:00:00.000Z"));
    await writeFile(
      join(logsDir(env), "predictions-latest.jsonl"),
      `${JSON.stringify(record("rx", "2026-11-24T13:00:00.000Z"))}\n`,
    );

    const { records, matched } = await queryPredictions(env, { limit: 100 });
    expect(records.map((r) => r.requestId)).toEqual(["r1", "r2", "r3", "r4"]);
    expect(matched).toBe(4);
    expect(await findPrediction(env, "r9")).toBeUndefined();
    expect(await findPrediction(env, "r4")).toMatchObject({ requestId: "r4" });
  });

  it("does not lose the next record after a line torn by a crash (no trailing newline)", async () => {
    const env = await threeRecords();
    const file = join(logsDir(env), "predictions-2026-11-24.jsonl");
    // A writer killed mid-append leaves a last line without its newline.
    await appendFile(file, '{"requestId":"r9","at":"2026-11-24T11:00:00.000Z","na');
    await appendPrediction(env, record("r4", "2026-11-24T12:00:00.000Z"));
    expect(await findPrediction(env, "r4")).toMatchObject({ requestId: "r4" });
    expect((await queryPredictions(env, { limit: 100 })).records.map((r) => r.requestId)).toEqual([
      "r1",
      "r2",
      "r3",
      "r4",
    ]);
  });
});
