import { describe, expect, it } from "vitest";
import { MserveError } from "../../../src/errors.js";
import { waitUntil } from "../../../src/runtime/wait.js";

describe("waitUntil", () => {
  it("returns the first defined value, ticking after each empty check", async () => {
    let calls = 0;
    const ticks: number[] = [];
    const value = await waitUntil(async () => (++calls === 3 ? { ready: true } : undefined), {
      timeoutMs: 2_000,
      intervalMs: 5,
      what: "x",
      onTick: ({ attempt }) => ticks.push(attempt),
    });
    expect(value).toEqual({ ready: true });
    expect(calls).toBe(3);
    expect(ticks).toEqual([1, 2]);
  });

  it("times out with TIMEOUT, saying how long and for what, with the hint", async () => {
    const started = Date.now();
    await expect(
      waitUntil(async () => undefined, {
        timeoutMs: 200,
        intervalMs: 10,
        what: "the server",
        hint: "see log",
      }),
    ).rejects.toMatchObject({
      code: "TIMEOUT",
      message: "timed out after 0.2s waiting for the server",
      hint: "see log",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("a check that hangs cannot outlast the deadline", async () => {
    const started = Date.now();
    await expect(
      waitUntil(() => new Promise<undefined>(() => {}), { timeoutMs: 100, what: "a hung check" }),
    ).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("an abort is INTERRUPTED, also during a hung check; an MserveError reason is kept", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      waitUntil(() => new Promise<undefined>(() => {}), {
        timeoutMs: 5_000,
        what: "x",
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: "INTERRUPTED" });

    const polling = new AbortController();
    setTimeout(() => polling.abort(), 30);
    await expect(
      waitUntil(async () => undefined, {
        timeoutMs: 5_000,
        intervalMs: 1_000,
        what: "x",
        signal: polling.signal,
      }),
    ).rejects.toMatchObject({ code: "INTERRUPTED" });

    const reason = new MserveError("SERVER_ERROR", "server exited");
    let calls = 0;
    await expect(
      waitUntil(
        async () => {
          calls++;
          return undefined;
        },
        { timeoutMs: 5_000, what: "x", signal: AbortSignal.abort(reason) },
      ),
    ).rejects.toBe(reason);
    expect(calls).toBe(0);
  });

  it("a check that throws ends the wait with its own error", async () => {
    let calls = 0;
    const died = new MserveError("SERVER_ERROR", "the server died");
    await expect(
      waitUntil(
        async () => {
          if (++calls === 2) throw died;
          return undefined;
        },
        { timeoutMs: 5_000, intervalMs: 5, what: "x" },
      ),
    ).rejects.toBe(died);
    expect(calls).toBe(2);
  });
});
