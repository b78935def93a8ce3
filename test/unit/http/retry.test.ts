import { describe, expect, it } from "vitest";
import type { FailureKind } from "../../../src/http/errors.js";
import { backoffDelay, mayRetryFailure, mayRetryStatus } from "../../../src/http/retry.js";

const plain = { idempotent: false, replayableBody: true };
const idempotent = { idempotent: true, replayableBody: true };
const stream = { idempotent: true, replayableBody: false };

describe("retry policy", () => {
  it.each<[FailureKind, boolean, boolean, boolean]>([
    // kind, non-idempotent, idempotent, idempotent stream body
    ["refused", true, true, false],
    ["dns", true, true, false],
    ["connect-timeout", true, true, false],
    ["reset", false, true, false],
    ["timeout", false, true, false],
    ["invalid", false, false, false],
    ["closed", false, false, false],
    ["other", false, false, false],
  ])("%s: plain %s, idempotent %s, stream %s", (kind, forPlain, forIdempotent, forStream) => {
    expect(mayRetryFailure(kind, plain)).toBe(forPlain);
    expect(mayRetryFailure(kind, idempotent)).toBe(forIdempotent);
    expect(mayRetryFailure(kind, stream)).toBe(forStream);
  });

  it("only 502/503/504, and only for idempotent requests", () => {
    for (const status of [502, 503, 504]) {
      expect(mayRetryStatus(status, idempotent)).toBe(true);
      expect(mayRetryStatus(status, plain)).toBe(false);
    }
    for (const status of [200, 404, 409, 500, 507]) expect(mayRetryStatus(status, idempotent)).toBe(false);
  });

  it("backoff doubles per retry with jitter between 0.5x and 1.5x", () => {
    expect(backoffDelay(0, 100, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, () => 0.5)).toBe(100);
    expect(backoffDelay(1, 100, () => 0.5)).toBe(200);
    expect(backoffDelay(2, 100, () => 0.999)).toBe(600);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(1, 100);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(300);
    }
  });
});
