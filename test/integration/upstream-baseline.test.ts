import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesDir, repoRoot } from "../helpers/cli.js";
import { missingVenvTool, venvBin } from "../helpers/python.js";
import {
  type RunningTorchServe,
  requireRealServers,
  startTorchServe,
  torchserveAvailable,
} from "../helpers/torchserve.js";

/**
 * The baseline without mserve: the fixture archived by the upstream torch-model-archiver
 * 0.12.0 with the handler template, served by a real TorchServe 0.12.0. If this fails,
 * the fixture or the template is broken, not mserve's packaging.
 */
const intentDir = join(fixturesDir, "intent");
const availability = torchserveAvailable();
const unavailable = availability.ok ? missingVenvTool("torch-model-archiver") : availability.reason;
// Skipping is only allowed when nobody asked for real servers; otherwise beforeAll fails with the reason.
const skip = unavailable !== undefined && !requireRealServers();
if (skip) console.warn(`skipping the upstream TorchServe baseline: ${unavailable}`);

interface Sample {
  text: string;
  intent: string;
}

interface Prediction {
  intent: string;
  score: number;
  topk: { label: string; score: number }[];
}

/**
 * Sizes of the batches the intent worker handled so far. TorchServe logs one HandlerTime
 * metric per batch, listing the requestID of every request in that batch.
 */
async function intentBatchSizes(ts: RunningTorchServe): Promise<number[]> {
  const metrics = await readFile(join(ts.logDir, "model_metrics.log"), "utf8").catch(() => "");
  return [
    ...metrics.matchAll(/HandlerTime\.ms:[^|]*\|#ModelName:intent,[^|]*\|[^|]*requestID:([^|]*),timestamp:/g),
  ].map((match) => (match[1] as string).split(",").length);
}

let work: string | undefined;
let server: RunningTorchServe | undefined;
let samples: Sample[];

describe.skipIf(skip)(
  "upstream baseline: torch-model-archiver + TorchServe 0.12.0 serve the intent fixture",
  () => {
    beforeAll(async () => {
      if (unavailable) throw new Error(`MSERVE_REQUIRE_REAL_SERVERS=1 but ${unavailable}`);
      work = await mkdtemp(join(tmpdir(), "mserve-baseline-"));
      const store = join(work, "store");
      await mkdir(store);
      await execa(
        venvBin("torch-model-archiver"),
        [
          "--model-name",
          "intent",
          "--version",
          "1",
          "--serialized-file",
          "model.pt",
          "--model-file",
          "model.py",
          "--handler",
          join(repoRoot, "templates/torchserve/text_classifier.py"),
          "--extra-files",
          "vocab.json,index_to_name.json",
          "--requirements-file",
          "requirements.txt",
          "--config-file",
          "model-config.yaml",
          "--export-path",
          store,
        ],
        { cwd: intentDir },
      );
      samples = (await readFile(join(intentDir, "samples.jsonl"), "utf8"))
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Sample);
      server = await startTorchServe({ modelStore: store, workDir: join(work, "server") });
      const registered = await server.register("intent.mar", { initial_workers: 1, synchronous: true });
      expect(registered.status, `${registered.body}\n${await server.logTail()}`).toBe(200);
    }, 180_000);

    afterAll(async () => {
      await server?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    }, 60_000);

    it("takes the worker settings from the archived model-config.yaml", async () => {
      const ts = server as RunningTorchServe;
      const described = (await (await fetch(`${ts.managementUrl}/models/intent`)).json()) as {
        batchSize: number;
        maxBatchDelay: number;
        workers: { status: string }[];
      }[];
      expect(described[0]).toMatchObject({ batchSize: 4, maxBatchDelay: 50 });
      expect(described[0]?.workers.map((w) => w.status)).toEqual(["READY"]);
    });

    it("predicts the expected intent for every held-out sample, with handler.topk = 3", async () => {
      const ts = server as RunningTorchServe;
      for (const sample of samples) {
        const reply = await ts.predict("intent", sample.text);
        expect(reply.status, reply.text).toBe(200);
        const prediction = reply.json as Prediction;
        expect(prediction.intent, sample.text).toBe(sample.intent);
        expect(prediction.topk).toHaveLength(3);
        expect(prediction.topk[0]).toEqual({ label: prediction.intent, score: prediction.score });
      }
    }, 60_000);

    it("accepts a JSON body with a text field, by model version", async () => {
      const ts = server as RunningTorchServe;
      const sample = samples[0] as Sample;
      const reply = await ts.predict("intent", JSON.stringify({ text: sample.text }), "1");
      expect(reply.status, reply.text).toBe(200);
      expect((reply.json as Prediction).intent).toBe(sample.intent);
    });

    it("answers concurrent requests, batched by the server, each with its own result", async () => {
      const ts = server as RunningTorchServe;
      // Three rounds of every sample at once: more than batchSize (4) requests queue within
      // maxBatchDelay, so the worker receives multi-request batches.
      const burst = [...samples, ...samples, ...samples];
      const replies = await Promise.all(burst.map((sample) => ts.predict("intent", sample.text)));
      expect(replies.map((reply) => reply.status)).toEqual(burst.map(() => 200));
      expect(replies.map((reply) => (reply.json as Prediction).intent)).toEqual(burst.map((s) => s.intent));
      // The metrics log is written asynchronously to the replies: poll for it.
      await expect
        .poll(async () => Math.max(0, ...(await intentBatchSizes(ts))), { timeout: 10_000 })
        .toBeGreaterThan(1);
    }, 60_000);

    it("answers an empty text instead of failing (every bag empty)", async () => {
      const ts = server as RunningTorchServe;
      const reply = await ts.predict("intent", "");
      expect(reply.status, reply.text).toBe(200);
      expect((reply.json as Prediction).topk).toHaveLength(3);
    });
  },
);
