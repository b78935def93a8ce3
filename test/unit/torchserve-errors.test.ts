import { describe, expect, it } from "vitest";
import type { HttpResponse } from "../../src/http/types.js";
import { isInvalidKey, torchServeError } from "../../src/targets/torchserve/errors.js";

function response(status: number, body: unknown): HttpResponse {
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
}

const call = { action: "register intent", api: "management" as const };

describe("TorchServe error bodies → exit codes", () => {
  it.each([
    [404, "ModelNotFoundException", "NOT_FOUND", 4],
    [409, "ConflictStatusException", "CONFLICT", 5],
    [403, "InvalidModelVersionException", "CONFLICT", 5],
    [405, "MethodNotAllowedException", "SERVER_ERROR", 7],
    [408, "RequestTimeoutException", "TIMEOUT", 8],
    [400, "InvalidKeyException", "AUTH", 9],
    [400, "BadRequestException", "SERVER_ERROR", 7],
    [500, "InternalServerException", "SERVER_ERROR", 7],
    [503, "ServiceUnavailableException", "SERVER_ERROR", 7],
  ])("%d %s → %s", (status, type, code, exit) => {
    const error = torchServeError(response(status, { code: status, type, message: "m" }), call);
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(exit);
    expect(error.message).toBe(`register intent failed: m (HTTP ${status})`);
  });
  it("405 carries the model-API fix", () => {
    expect(
      torchServeError(response(405, { code: 405, type: "MethodNotAllowedException", message: "x" }), call)
        .hint,
    ).toMatch(/enable-model-api/);
  });
  it("a wrong port's 404 asks about the port", () => {
    const error = torchServeError(
      response(404, {
        code: 404,
        type: "ResourceNotFoundException",
        message: "Requested resource is not found",
      }),
      call,
    );
    expect(error.hint).toMatch(/8080.*8081/);
  });
  it("a non-JSON error body is shown as text", () => {
    expect(torchServeError(response(502, "<html>bad gateway</html>"), call).message).toContain(
      "<html>bad gateway</html>",
    );
  });
  it("only 400 InvalidKeyException counts as a key failure", () => {
    expect(isInvalidKey(response(400, { code: 400, type: "InvalidKeyException", message: "" }))).toBe(true);
    expect(isInvalidKey(response(400, { code: 400, type: "BadRequestException", message: "" }))).toBe(false);
    expect(isInvalidKey(response(401, { code: 401, type: "InvalidKeyException", message: "" }))).toBe(false);
  });
});
