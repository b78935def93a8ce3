import { errors as undici } from "undici";
import { describe, expect, it } from "vitest";
import { MserveError } from "../../../src/errors.js";
import {
  authNote,
  type FailureContext,
  failureKind,
  interrupted,
  networkCode,
  networkError,
  redactCredential,
  redactUrl,
  safeUrl,
  scrub,
  seconds,
  secretsOf,
} from "../../../src/http/errors.js";

const errno = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${code} something`), { code, ...extra });

const ctx: FailureContext = {
  what: "TorchServe",
  url: "http://127.0.0.1:8081/models?key=abc123",
  budgetMs: 30_000,
  connectTimeoutMs: 5_000,
};

describe("redaction", () => {
  it("safeUrl drops query, fragment and user info", () => {
    expect(safeUrl("http://u:p@host:8081/models/a?key=x#f")).toBe("http://host:8081/models/a");
    expect(safeUrl("not a url?token=x")).toBe("not a url");
    expect(safeUrl("//u:p@host/x?y")).toBe("//host/x");
  });

  it("redactUrl keeps the query but hides secret-looking values and user info", () => {
    expect(
      redactUrl("http://u:pw@h/token?type=management&key=K1&api_token=T&limit=5&next_page_token=9"),
    ).toBe("http://h/token?type=management&key=***&api_token=***&limit=5&next_page_token=***");
    expect(redactUrl("http://h/models?url=a.mar&initial_workers=1")).toBe(
      "http://h/models?url=a.mar&initial_workers=1",
    );
  });

  it("credentials keep their scheme only", () => {
    expect(redactCredential("Bearer abc.def")).toBe("Bearer ***");
    expect(redactCredential("Basic dXNlcjpwdw==")).toBe("Basic ***");
    expect(redactCredential("rawtoken")).toBe("***");
    expect(authNote({ Authorization: "Bearer abc", accept: "json" })).toBe(" (authorization: Bearer ***)");
    expect(authNote({ accept: "json" })).toBe("");
    expect(authNote(undefined)).toBe("");
  });

  it("scrub removes every secret a request carries from foreign texts", () => {
    const secrets = secretsOf("http://h/x?key=QUERYKEY&limit=10", { authorization: "Bearer HEADERKEY" });
    expect(secrets).toContain("QUERYKEY");
    expect(secrets).toContain("HEADERKEY");
    expect(secrets).not.toContain("10");
    expect(scrub("bad header Bearer HEADERKEY near QUERYKEY", secrets)).toBe("bad header *** near ***");
  });
});

describe("failureKind", () => {
  it.each([
    [errno("ECONNREFUSED", { syscall: "connect" }), "refused"],
    [errno("EHOSTUNREACH"), "refused"],
    [errno("ENOTFOUND", { syscall: "getaddrinfo" }), "dns"],
    [errno("EAI_AGAIN"), "dns"],
    [new undici.ConnectTimeoutError(), "connect-timeout"],
    [errno("ETIMEDOUT", { syscall: "connect" }), "connect-timeout"],
    [errno("ETIMEDOUT", { syscall: "read" }), "timeout"],
    [new undici.HeadersTimeoutError(), "timeout"],
    [new undici.BodyTimeoutError(), "timeout"],
    [errno("ECONNRESET"), "reset"],
    [new undici.SocketError("other side closed"), "reset"],
    [new Error("other side closed"), "reset"],
    [new undici.InvalidArgumentError("invalid authorization header"), "invalid"],
    [new undici.ClientClosedError(), "closed"],
    [new Error("something else"), "other"],
    ["a string", "other"],
  ])("%s -> %s", (error, kind) => {
    expect(failureKind(error)).toBe(kind);
  });

  it("looks through cause chains and happy-eyeballs AggregateErrors", () => {
    expect(networkCode(new Error("fetch failed", { cause: errno("ECONNRESET") }))).toBe("ECONNRESET");
    expect(networkCode(new AggregateError([errno("ECONNREFUSED"), errno("ECONNREFUSED")]))).toBe(
      "ECONNREFUSED",
    );
    expect(networkCode(undefined)).toBeUndefined();
  });
});

describe("networkError", () => {
  it.each([
    [
      errno("ECONNREFUSED"),
      "UNREACHABLE",
      "TorchServe is not reachable at http://127.0.0.1:8081/models (connection refused)",
    ],
    [
      errno("ENOTFOUND"),
      "UNREACHABLE",
      "TorchServe is not reachable at http://127.0.0.1:8081/models (host name not found)",
    ],
    [
      errno("EAI_AGAIN"),
      "UNREACHABLE",
      "TorchServe is not reachable at http://127.0.0.1:8081/models (DNS lookup failed temporarily)",
    ],
    [
      errno("ECONNRESET"),
      "UNREACHABLE",
      "connection reset by TorchServe before it answered completely (http://127.0.0.1:8081/models)",
    ],
    [
      new undici.SocketError("other side closed"),
      "UNREACHABLE",
      "connection reset by TorchServe before it answered completely (http://127.0.0.1:8081/models)",
    ],
    [
      new undici.HeadersTimeoutError(),
      "TIMEOUT",
      "TorchServe did not answer within 30s (http://127.0.0.1:8081/models)",
    ],
    [
      new undici.BodyTimeoutError(),
      "TIMEOUT",
      "TorchServe did not answer within 30s (http://127.0.0.1:8081/models)",
    ],
    [
      new undici.ConnectTimeoutError(),
      "TIMEOUT",
      "TorchServe did not accept a connection within 5s (http://127.0.0.1:8081/models)",
    ],
  ])("%s -> %s", (error, code, message) => {
    const mapped = networkError(error, ctx);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toBe(message);
    expect(mapped.cause).toBe(error);
    expect(mapped.hint).toBeTruthy();
  });

  it("the TIMEOUT hint points at --timeout", () => {
    expect(networkError(new undici.HeadersTimeoutError(), ctx).hint).toContain("--timeout");
  });

  it("foreign messages are scrubbed of the request's secrets", () => {
    const mapped = networkError(new undici.InvalidArgumentError("bad value Bearer abc123"), {
      ...ctx,
      secrets: ["abc123"],
    });
    expect(mapped.code).toBe("INVALID_INPUT");
    expect(mapped.message).toBe(
      "cannot send the request to http://127.0.0.1:8081/models: bad value Bearer ***",
    );
  });

  it("formats budgets in seconds, and those under a second in milliseconds", () => {
    expect(seconds(300)).toBe("300ms");
    expect(seconds(1)).toBe("1ms");
    expect(seconds(1500)).toBe("1.5s");
    expect(seconds(30_000)).toBe("30s");
    expect(seconds(1_250)).toBe("1.3s");
  });
});

describe("interrupted", () => {
  it("returns an MserveError reason itself, else INTERRUPTED", () => {
    const reason = new MserveError("INTERRUPTED", "interrupted");
    expect(interrupted(AbortSignal.abort(reason))).toBe(reason);
    const plain = interrupted(AbortSignal.abort());
    expect(plain.code).toBe("INTERRUPTED");
    expect(plain.exitCode).toBe(130);
  });
});
