import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { MserveError } from "../../../src/errors.js";
import { createHttpClient } from "../../../src/http/client.js";
import type { HttpClient, HttpClientOptions } from "../../../src/http/types.js";
import { closeServers, httpServer, rawServer, refusedUrl } from "./servers.js";

const clients: HttpClient[] = [];
afterEach(async () => {
  await closeServers();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A client with fast backoff whose debug lines are collected. */
function client(options: HttpClientOptions = {}) {
  const lines: string[] = [];
  const http = createHttpClient({ backoffMs: 5, onDebug: (line) => lines.push(line), ...options });
  clients.push(http);
  return { http, lines };
}

async function failure(promise: Promise<unknown>): Promise<MserveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MserveError);
  return error as MserveError;
}

const attempts = (lines: string[]) => lines.filter((l) => / attempt \d\/\d after /.test(l));

// Resets the connection before any answer, or after the headers and part of the body.
const resetBeforeAnswer = () => rawServer((socket) => socket.destroy());
const resetAfterHeaders = () =>
  rawServer((socket) =>
    socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{", () =>
      setTimeout(() => socket.destroy(), 10),
    ),
  );

describe("answers", () => {
  it("returns status, headers, text and JSON; the query is appended", async () => {
    let seenUrl = "";
    const server = await httpServer((req, res) => {
      seenUrl = req.url ?? "";
      res.writeHead(201, { "content-type": "application/json", "x-request-id": "abc" });
      res.end('{"ok": true}');
    });
    const { http, lines } = client();
    const r = await http.request({
      method: "GET",
      url: `${server.url}/models?x=y`,
      query: { a: 1, b: true, skip: undefined },
    });
    expect(r.status).toBe(201);
    expect(r.headers["x-request-id"]).toBe("abc");
    expect(r.json()).toEqual({ ok: true });
    expect(r.text()).toBe('{"ok": true}');
    expect(seenUrl).toBe("/models?x=y&a=1&b=true");
    expect(r.elapsedMs).toBeGreaterThan(0);
    expect(lines).toEqual([
      expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/models\?x=y&a=1&b=true -> 201 \(\d+ ms\)$/),
    ]);
  });

  it("sends the body; a text answer has text() and no json()", async () => {
    const server = await httpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => res.end(`${req.method} ${Buffer.concat(chunks).toString()}`));
    });
    const { http } = client();
    const r = await http.request({ method: "POST", url: server.url, body: "hello" });
    expect(r.text()).toBe("POST hello");
    expect(r.json()).toBeUndefined();
  });

  it("reuses pooled connections between requests", async () => {
    const server = await httpServer((_req, res) => res.end("ok"));
    const { http } = client();
    for (let i = 0; i < 4; i++) await http.request({ method: "GET", url: server.url });
    expect(server.hits).toBe(4);
    // undici returns a socket to the pool a tick after the body ends, so back-to-back
    // requests may open one more; without a pool there would be four.
    expect(server.sockets.size).toBeLessThanOrEqual(2);
  });

  it("does not reuse a connection the server closed after an error", async () => {
    // Like TorchServe: an error answer with `Connection: close`, then the socket goes away a bit
    // later. A client that pooled that socket would send the next request into it and fail.
    const server = await rawServer((socket, hit) => {
      if (hit === 1) {
        socket.write(
          "HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\ncontent-type: application/json\r\n" +
            'content-length: 15\r\n\r\n{"code":500}   ',
        );
        setTimeout(() => socket.destroy(), 100);
      } else {
        socket.end("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nfine");
      }
    });
    // No retries: a reused socket would fail the second POST instead of being hidden by a retry.
    const { http } = client({ retries: 0 });
    expect((await http.request({ method: "POST", url: server.url })).status).toBe(500);
    // Give the pool the moment it needs to take a kept-alive socket back.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await http.request({ method: "POST", url: server.url });
    expect(second.status).toBe(200);
    expect(second.text()).toBe("fine");
    expect(server.connections).toBe(2);
  });
});

describe("retries", () => {
  it("a refused connection is retried for any method, then UNREACHABLE naming the URL", async () => {
    const url = await refusedUrl();
    const { http, lines } = client({ retries: 2 });
    const error = await failure(http.request({ method: "POST", url: `${url}/models`, what: "TorchServe" }));
    expect(error.code).toBe("UNREACHABLE");
    expect(error.exitCode).toBe(6);
    expect(error.message).toBe(`TorchServe is not reachable at ${url}/models (connection refused)`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    expect(lines.filter((l) => l.endsWith("ms)") && l.includes("-> ECONNREFUSED"))).toHaveLength(3);
    expect(attempts(lines).map((l) => /attempt (\d\/\d) after ECONNREFUSED/.exec(l)?.[1])).toEqual([
      "2/3",
      "3/3",
    ]);
  });

  it("a stream body is sent at most once, even when the connection was refused", async () => {
    const url = await refusedUrl();
    const { http, lines } = client({ retries: 2 });
    const error = await failure(
      http.request({ method: "PUT", url, body: Readable.from(["a", "b"]), idempotent: true }),
    );
    expect(error.code).toBe("UNREACHABLE");
    expect(attempts(lines)).toHaveLength(0);
  });

  it.each([
    ["before any answer", resetBeforeAnswer],
    ["after the headers", resetAfterHeaders],
  ])("a reset %s: a POST is sent once, an idempotent GET is retried", async (_name, start) => {
    const server = await start();
    const { http, lines } = client({ retries: 2 });
    const post = await failure(
      http.request({ method: "POST", url: server.url, body: "x", what: "TorchServe" }),
    );
    expect(post.code).toBe("UNREACHABLE");
    expect(post.message).toContain("connection reset by TorchServe");
    expect(server.hits).toBe(1);
    expect(attempts(lines)).toHaveLength(0);

    const get = await failure(http.request({ method: "GET", url: server.url, idempotent: true }));
    expect(get.code).toBe("UNREACHABLE");
    expect(server.hits).toBe(1 + 3);
    expect(attempts(lines)).toHaveLength(2);
  });

  it("503 then 200: an idempotent GET gets the 200 after one retry", async () => {
    const server = await httpServer((_req, res, hit) => {
      res.writeHead(hit === 1 ? 503 : 200, hit === 1 ? { connection: "close" } : {});
      res.end(hit === 1 ? "busy" : "ok");
    });
    const { http, lines } = client();
    const r = await http.request({ method: "GET", url: server.url, idempotent: true });
    expect(r.status).toBe(200);
    expect(r.text()).toBe("ok");
    expect(server.hits).toBe(2);
    expect(attempts(lines)).toEqual([expect.stringContaining("attempt 2/3 after HTTP 503")]);
  });

  it("503 to a POST is returned as is, without a retry", async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(503);
      res.end("busy");
    });
    const { http } = client();
    const r = await http.request({ method: "POST", url: server.url, body: "{}" });
    expect(r.status).toBe(503);
    expect(server.hits).toBe(1);
  });

  it("an idempotent request that keeps getting 502 ends with the last answer, not an error", async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(502);
      res.end("bad gateway");
    });
    const { http } = client({ retries: 2 });
    const r = await http.request({ method: "GET", url: server.url, idempotent: true });
    expect(r.status).toBe(502);
    expect(server.hits).toBe(3);
  });

  it("no retry when the backoff would not fit in the budget", async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const { http } = client({ backoffMs: 1_000, timeoutMs: 300 });
    const started = Date.now();
    const r = await http.request({ method: "GET", url: server.url, idempotent: true });
    expect(r.status).toBe(503);
    expect(server.hits).toBe(1);
    expect(Date.now() - started).toBeLessThan(250);
  });
});

describe("time and interruption", () => {
  it("a server that never answers ends in TIMEOUT within the budget, retries included", async () => {
    const server = await rawServer(() => {});
    const { http } = client();
    const started = Date.now();
    const error = await failure(
      http.request({ method: "GET", url: server.url, timeoutMs: 300, idempotent: true, what: "TorchServe" }),
    );
    const took = Date.now() - started;
    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toBe(`TorchServe did not answer within 300ms (${server.url}/)`);
    expect(error.hint).toContain("--timeout");
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1_000);
    expect(server.hits).toBe(1);
  });

  it("the caller's abort is INTERRUPTED, not a timeout", async () => {
    const server = await rawServer(() => {});
    const controller = new AbortController();
    const { http } = client();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await failure(
      http.request({ method: "GET", url: server.url, signal: controller.signal, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe("INTERRUPTED");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("an MserveError abort reason (the CLI's Ctrl-C) is rethrown as is", async () => {
    const server = await rawServer(() => {});
    const reason = new MserveError("INTERRUPTED", "interrupted by Ctrl-C");
    const controller = new AbortController();
    const { http } = client();
    setTimeout(() => controller.abort(reason), 20);
    await expect(http.request({ method: "GET", url: server.url, signal: controller.signal })).rejects.toBe(
      reason,
    );
  });

  it("an already aborted signal sends nothing", async () => {
    const server = await httpServer((_req, res) => res.end());
    const { http } = client();
    const error = await failure(
      http.request({ method: "GET", url: server.url, signal: AbortSignal.abort(), idempotent: true }),
    );
    expect(error.code).toBe("INTERRUPTED");
    expect(server.hits).toBe(0);
  });

  it("an abort during the backoff sleep ends the wait at once", async () => {
    const url = await refusedUrl();
    const controller = new AbortController();
    const { http, lines } = client({ backoffMs: 2_000, timeoutMs: 10_000 });
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(http.request({ method: "GET", url, signal: controller.signal }));
    expect(error.code).toBe("INTERRUPTED");
    expect(attempts(lines)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe("secrets", () => {
  const secret = "s3cr3t-key-value";
  const request = (url: string) => ({
    method: "GET" as const,
    url: `${url}/token`,
    query: { type: "management", key: secret },
    headers: { authorization: `Bearer ${secret}` },
    idempotent: true,
  });

  it("debug lines show the request with Bearer *** and key=***", async () => {
    const server = await httpServer((_req, res) => res.end("{}"));
    const { http, lines } = client();
    await http.request(request(server.url));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("/token?type=management&key=***");
    expect(lines[0]).toContain("(authorization: Bearer ***)");
    expect(lines[0]).not.toContain(secret);
  });

  it.each([
    ["refused", async () => refusedUrl()],
    ["reset", async () => (await resetBeforeAnswer()).url],
    ["hung", async () => (await rawServer(() => {})).url],
  ])("a %s request shows neither the key nor the query in its error", async (_name, start) => {
    const url = await start();
    const { http, lines } = client({ retries: 1, timeoutMs: 300 });
    const error = await failure(http.request(request(url)));
    expect(error.message).toContain(`${url}/token`);
    expect(error.message).not.toContain("?");
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...lines, error.message, error.hint ?? "", JSON.stringify(error)])
      expect(text).not.toContain(secret);
  });

  it("an invalid URL is INVALID_INPUT without its query", async () => {
    const { http } = client();
    const error = await failure(http.request({ method: "GET", url: `ftp://host/x?token=${secret}` }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toBe("not an http(s) URL: ftp://host/x");
  });
});

describe("body size cap", () => {
  it("a streamed body over the cap is a SERVER_ERROR", async () => {
    const server = await httpServer((_req, res) => {
      res.write("x".repeat(600));
      res.end("x".repeat(600));
    });
    const { http } = client({ maxBodyBytes: 1_024 });
    const error = await failure(http.request({ method: "GET", url: server.url, what: "TorchServe" }));
    expect(error.code).toBe("SERVER_ERROR");
    expect(error.message).toContain("TorchServe sent an answer larger than");
    // Exactly at the cap is fine.
    const fits = client({ maxBodyBytes: 1_200 });
    expect((await fits.http.request({ method: "GET", url: server.url })).body.length).toBe(1_200);
  });

  it("a declared length over the default 64 MiB fails before the body arrives", async () => {
    const server = await rawServer((socket) =>
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${64 * 1024 * 1024 + 1}\r\n\r\n{"a":`),
    );
    const { http } = client();
    const started = Date.now();
    const error = await failure(http.request({ method: "GET", url: server.url, timeoutMs: 5_000 }));
    expect(error.code).toBe("SERVER_ERROR");
    expect(error.message).toContain("larger than 64 MiB");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("HEAD is not held to the declared length", async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { "content-length": String(100 * 1024 * 1024) });
      res.end();
    });
    const { http } = client();
    const r = await http.request({ method: "HEAD", url: server.url });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
  });
});
