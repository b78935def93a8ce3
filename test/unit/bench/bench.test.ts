import { describe, expect, it } from "vitest";
import { parseConcurrency } from "../../../src/bench/concurrency.js";
import { LatencyHistogram } from "../../../src/bench/histogram.js";
import { type Outcome, runLevel } from "../../../src/bench/load.js";
import { parseResponse } from "../../../src/bench/raw-http.js";
import { bar, chart, levelRows, toCsv } from "../../../src/bench/report.js";
import { runBench } from "../../../src/bench/run.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LatencyHistogram", () => {
  it("percentiles of 1..1000 ms are within 0.1%, and never above the maximum", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordMs(i);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.min).toBeCloseTo(1, 2);
    expect(s.p50).toBeGreaterThanOrEqual(500);
    expect(s.p50).toBeLessThanOrEqual(500.5);
    expect(s.p90).toBeCloseTo(900, -0.5);
    expect(s.p99).toBeGreaterThanOrEqual(990);
    expect(s.p99).toBeLessThanOrEqual(991);
    expect(s.max).toBeCloseTo(1000, 0);
    expect(s.mean).toBeCloseTo(500.5, 0);
    expect(s.p99).toBeLessThanOrEqual(s.max);
  });
  it("one slow request in a hundred shows at p99, not in the mean of means", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 98; i++) h.recordMs(2);
    h.recordMs(500);
    h.recordMs(500);
    expect(h.summary().p50).toBeCloseTo(2, 1);
    expect(h.summary().p99).toBeCloseTo(500, -1);
  });
  it("an empty histogram is all zeros", () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      max: 0,
    });
  });
});

describe("closed loop", () => {
  it("never has more requests in flight than the concurrency, and stops at --requests exactly", async () => {
    let inFlight = 0;
    let peak = 0;
    const send = async (): Promise<Outcome> => {
      peak = Math.max(peak, ++inFlight);
      await sleep(2);
      inFlight--;
      return { ok: true };
    };
    const level = await runLevel(send, { concurrency: 4, requests: 57, warmupMs: 0 });
    expect(peak).toBe(4);
    expect(level).toMatchObject({ concurrency: 4, requests: 57, ok: 57, errors: {}, interrupted: false });
    expect(level.throughput).toBeGreaterThan(0);
  });
  it("counts errors by kind and keeps them out of the latency figures", async () => {
    let n = 0;
    const kinds = ["http-5xx", "timeout", "connection", "http-4xx"] as const;
    const send = async (): Promise<Outcome> => {
      n++;
      return n % 5 === 0 ? { ok: false, kind: kinds[(n / 5) % 4] as (typeof kinds)[number] } : { ok: true };
    };
    const level = await runLevel(send, { concurrency: 1, requests: 40, warmupMs: 0 });
    expect(level.requests).toBe(40);
    expect(level.ok).toBe(32);
    expect(level.latency.count).toBe(32);
    expect(level.errors).toEqual({ "http-5xx": 2, timeout: 2, connection: 2, "http-4xx": 2 });
  });
  it("drops the warm-up from the figures", async () => {
    let sent = 0;
    const send = async (): Promise<Outcome> => {
      sent++;
      await sleep(1);
      return { ok: true };
    };
    const level = await runLevel(send, { concurrency: 2, requests: 10, warmupMs: 50 });
    expect(level.requests).toBe(10);
    expect(sent).toBeGreaterThan(10);
  });
  it("Ctrl-C ends the level early and keeps what was measured", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 80);
    const bench = await runBench(
      async () => {
        await sleep(5);
        return { ok: true };
      },
      { concurrency: [1, 2, 4], durationMs: 5_000, warmupMs: 0 },
      { signal: controller.signal },
    );
    expect(bench.interrupted).toBe(true);
    expect(bench.levels).toHaveLength(1);
    expect(bench.levels[0]?.interrupted).toBe(true);
    expect(bench.levels[0]?.ok).toBeGreaterThan(3);
  });
});

describe("open loop (--rate)", () => {
  it("charges queueing behind a stall to the queued requests (coordinated omission)", async () => {
    let n = 0;
    const send = async (): Promise<Outcome> => {
      // The 5th request stalls the only connection for 200 ms.
      await sleep(++n === 5 ? 200 : 1);
      return { ok: true };
    };
    const level = await runLevel(send, { concurrency: 1, rate: 100, durationMs: 500, warmupMs: 0 });
    // A closed loop would report one 200 ms request; here the ~20 requests due during the stall wait too.
    expect(level.requests).toBeGreaterThan(40);
    expect(level.latency.p90).toBeGreaterThan(50);
    expect(level.rate).toBe(100);
  });
});

describe("raw HTTP response framing", () => {
  it("finds the end by Content-Length, chunked encoding, and waits for partial responses", () => {
    const fixed = Buffer.from("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
    expect(parseResponse(fixed)).toEqual({ end: fixed.length, status: 200, close: false });
    expect(parseResponse(fixed.subarray(0, fixed.length - 1))).toEqual({ end: -1 });
    const chunked = Buffer.from(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    );
    expect(parseResponse(chunked)).toEqual({ end: chunked.length, status: 200, close: false });
    expect(parseResponse(chunked.subarray(0, 30))).toEqual({ end: -1 });
    const closing = Buffer.from("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}");
    expect(parseResponse(closing)).toEqual({ end: closing.length, status: 404, close: true });
  });
  it("two responses in one buffer: the first ends where the second starts", () => {
    const one = "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na";
    expect(parseResponse(Buffer.from(one + one))).toMatchObject({ end: one.length });
  });
});

describe("report", () => {
  const level = {
    concurrency: 4,
    requests: 100,
    ok: 98,
    errors: { timeout: 2 },
    durationMs: 1000,
    throughput: 98,
    latency: { count: 98, min: 1, mean: 3, p50: 2.5, p90: 4, p95: 5, p99: 9.5, max: 12 },
    interrupted: false,
  };
  it("rows, CSV and chart carry the figures", () => {
    expect(levelRows([level]).rows[0]).toEqual([
      "4",
      "100",
      "timeout:2",
      "98.0",
      "2.50",
      "4.00",
      "5.00",
      "9.50",
      "12.0",
    ]);
    expect(toCsv([level]).split("\n")[1]).toBe("4,,100,98,2,98.000,2.5,4,5,9.5,12,3.000,1000");
    expect(chart([level, { ...level, concurrency: 8, throughput: 49 }])).toMatch(/\n {3}4 {2}█{28} 98/);
    expect(bar(1, 8, 1)).toBe("▏");
    expect(bar(0, 8, 10)).toBe("");
  });
  it("--concurrency parses distinct positive levels", () => {
    expect(parseConcurrency("1,2,4")).toEqual([1, 2, 4]);
    expect(parseConcurrency("4,4,8")).toEqual([4, 8]);
    expect(parseConcurrency("0,2")).toBeUndefined();
    expect(parseConcurrency("a")).toBeUndefined();
  });
});
