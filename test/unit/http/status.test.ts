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

describe("the model's own exception in a server's error", () => {
  it("names Triton's Python-backend frame (file:line, function) in the message and the hint", () => {
    const error = statusError(
      response(500, {
        error:
          "Failed to process the request(s) for model 'bad_0_0', message: ValueError: bad input\n\nAt:\n  /srv/repo/bad/1/model.py(52): execute\n",
      }),
      { server: "Triton", action: "infer bad", baseUrl: "http://127.0.0.1:8000" },
    );
    expect(error.code).toBe("SERVER_ERROR");
    expect(error.message).toBe(
      "Triton infer bad: Failed to process the request(s) for model 'bad_0_0', message: ValueError: bad input at /srv/repo/bad/1/model.py:52 in execute (HTTP 500)",
    );
    expect(error.hint).toMatch(/model's own code raised it \(\/srv\/repo\/bad\/1\/model\.py:52\)/);
    expect(error.details).toMatchObject({ raisedAt: { file: "/srv/repo/bad/1/model.py", line: 52 } });
  });

  it("reads KServe's `Name : reason` as `Name: reason`, and leaves other messages as they are", () => {
    const kserve = statusError(response(500, { error: "ValueError : bad input" }), {
      server: "KServe v1",
      action: "infer m",
      baseUrl: "http://h",
    });
    expect(kserve.message).toBe("KServe v1 infer m: ValueError: bad input (HTTP 500)");
    const plain = statusError(response(500, { error: "ratio : 3" }), {
      server: "X",
      action: "a",
      baseUrl: "http://h",
    });
    expect(plain.message).toBe("X a: ratio : 3 (HTTP 500)");
    expect(plain.hint).toBe("Server: http://h/");
  });
});
