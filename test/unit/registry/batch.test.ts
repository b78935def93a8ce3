import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BatchInput, readBatchInputs, runOrdered } from "../../../src/predict/batch.js";
import { collect, rejectsWith, tempDirs } from "./helpers.js";

const temp = tempDirs("batch");

async function* items(count: number): AsyncGenerator<{ index: number }> {
  for (let index = 0; index < count; index++) yield { index };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `count` items with random delays; returns the emit order and the most items ever in flight. */
async function run(count: number, concurrency: number, delay: (index: number) => number) {
  let inFlight = 0;
  let maxInFlight = 0;
  const emitted: number[] = [];
  const pairs: [string, number][] = [];
  await runOrdered(
    items(count),
    concurrency,
    async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(delay(item.index));
      inFlight--;
      return `result-${item.index}`;
    },
    (result, item) => {
      emitted.push(item.index);
      pairs.push([result, item.index]);
    },
  );
  return { emitted, pairs, maxInFlight };
}

describe("runOrdered", () => {
  it.each([1, 4])(
    "emits in input order with concurrency %i, even when later items finish first",
    async (n) => {
      const { emitted, pairs, maxInFlight } = await run(20, n, () => Math.floor(Math.random() * 15));
      expect(emitted).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(pairs.every(([result, index]) => result === `result-${index}`)).toBe(true);
      expect(maxInFlight).toBeLessThanOrEqual(n);
      if (n === 1) expect(maxInFlight).toBe(1);
    },
  );

  it("really runs items in parallel, never more than the limit", async () => {
    // Item 0 is the slowest: everything else finishes first but must wait to be emitted.
    const { emitted, maxInFlight } = await run(12, 4, (i) => (i === 0 ? 60 : 5));
    expect(emitted).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(maxInFlight).toBe(4);
  });

  it("emits an item as soon as every earlier one is done", async () => {
    const log: string[] = [];
    await runOrdered(
      items(3),
      3,
      async (item) => {
        await sleep([30, 5, 60][item.index] as number);
        log.push(`done ${item.index}`);
        return item.index;
      },
      (result) => log.push(`emit ${result}`),
    );
    expect(log).toEqual(["done 1", "done 0", "emit 0", "emit 1", "done 2", "emit 2"]);
  });

  it("treats a concurrency below 1 as 1, and handles no items", async () => {
    expect((await run(5, 0, () => 1)).maxInFlight).toBe(1);
    expect((await run(0, 4, () => 1)).emitted).toEqual([]);
  });

  it("stops taking new items once the signal is aborted", async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await runOrdered(
      items(10),
      2,
      async (item) => {
        started.push(item.index);
        if (item.index === 1) controller.abort();
        await sleep(2);
        return item.index;
      },
      () => {},
      controller.signal,
    );
    expect(started.length).toBeLessThan(10);
  });
});

describe("readBatchInputs", () => {
  it("reads strings as text, other values as JSON, skips blank lines and reports broken ones", async () => {
    const dir = await temp();
    await writeFile(join(dir, "in.jsonl"), '"hello"\n{"text":"hi","n":1}\n\n{broken\n');
    const inputs: BatchInput[] = await collect(readBatchInputs("in.jsonl", dir));
    expect(inputs.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(inputs.map((i) => i.line)).toEqual([1, 2, 4]);

    expect(inputs[0]?.input).toEqual({ data: "hello" });
    expect(JSON.parse(inputs[1]?.input?.json ?? "")).toEqual({ text: "hi", n: 1 });
    expect(inputs[1]?.input?.data).toBeUndefined();
    expect(inputs[0]?.error).toBeUndefined();

    expect(inputs[2]?.input).toBeUndefined();
    expect(inputs[2]?.error?.code).toBe("INVALID_INPUT");
    expect(inputs[2]?.error?.message).toContain("line 4");
  });

  it("handles CRLF line ends, whitespace-only lines and a last line without newline", async () => {
    const dir = await temp();
    await writeFile(join(dir, "crlf.jsonl"), '1\r\n   \r\n[2,3]\r\n"end"');
    const inputs = await collect(readBatchInputs(join(dir, "crlf.jsonl"), "/"));
    expect(inputs.map((i) => [i.index, i.line, i.input?.json ?? i.input?.data])).toEqual([
      [0, 1, "1"],
      [1, 3, "[2,3]"],
      [2, 4, "end"],
    ]);
    expect(inputs.every((i) => i.error === undefined)).toBe(true);
  });

  it("refuses a missing file or a folder (INVALID_INPUT)", async () => {
    const dir = await temp();
    await rejectsWith(collect(readBatchInputs("missing.jsonl", dir)), "INVALID_INPUT");
    await rejectsWith(collect(readBatchInputs(".", dir)), "INVALID_INPUT");
  });
});
