import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../../src/errors.js";
import { codeForStatus, statusError } from "../../../src/http/status.js";
import type { HttpResponse } from "../../../src/http/types.js";

const response = (status: number, body: unknown): HttpResponse => {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    status,
    headers: {},
    body: Buffer.from(text),
    text: () => text,
    json: () => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    },
    elapsedMs: 1,
  };
};

describe("one HTTP status → exit code mapping", () => {
  it.each([
    [401, 9],
    [403, 9],
    [404, 4],
    [409, 5],
    [408, 8],
    [504, 8],
    [400, 7],
    [422, 7],
    [500, 7],
    [503, 7],
  ])("HTTP %i is exit %i", (status, exit) => {
    expect(EXIT_CODES[codeForStatus(status)]).toBe(exit);
  });

  it("names the server and its own message, hints at credentials for 401, and keeps the body in details", () => {
    const error = statusError(response(401, { error: "token expired" }), {
      server: "KServe v1",
      action: "predict intent",
      baseUrl: "http://ingress",
    });
    expect(error.exitCode).toBe(9);
    expect(error.message).toBe("KServe v1 predict intent: token expired (HTTP 401)");
    expect(error.hint).toMatch(/credentials/);
    expect(error.details).toEqual({ status: 401, error: "token expired" });
    expect(
      statusError(response(502, "<html>bad gateway</html>"), {
        server: "Triton",
        action: "index",
        baseUrl: "http://x",
      }).message,
    ).toBe("Triton index: <html>bad gateway</html> (HTTP 502)");
  });
});
