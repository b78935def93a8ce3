import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MserveError } from "../../../src/errors.js";
import { createHttpClient } from "../../../src/http/client.js";

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  // close() waits for open connections, and some of these servers never answer.
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.on("connection", (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const http = (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
  listen(createHttpServer(handler) as unknown as Server);

async function refusedUrl(): Promise<string> {
  const url = await listen(createServer());
  const s = servers.pop() as Server;
  await new Promise((resolve) => s.close(resolve));
  return url;
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(MserveError);
    return error as MserveError;
  }
  throw new Error("expected a failure");
};

describe("createHttpClient", () => {
  it("returns status, headers, text and parsed JSON", async () => {
    const url = await http((_req, res) => {
      res.writeHead(201, { "content-type": "application/json", "x-request-id": "abc" });
      res.end('{"ok": true}');
    });
    const client = createHttpClient();
    const r = await client.request({ method: "GET", url, query: { a: 1, skip: undefined } });
    expect(r.status).toBe(201);
    expect(r.headers["x-request-id"]).toBe("abc");
    expect(r.json()).toEqual({ ok: true });
    expect(r.text()).toBe('{"ok": true}');
    await client.close();
  });

  it("a refused connection is retried, then UNREACHABLE naming the URL", async () => {
    const url = await refusedUrl();
    const lines: string[] = [];
    const client = createHttpClient({ retries: 2, backoffMs: 5, onDebug: (l) => lines.push(l) });
    const error = await failure(client.request({ method: "POST", url: `${url}/models`, what: "TorchServe" }));
    expect(error.code).toBe("UNREACHABLE");
    expect(error.message).toContain(`${url}/models`);
    expect(lines.filter((l) => l.includes("attempt"))).toHaveLength(2);
  });

  it("a server that never answers ends in TIMEOUT within the budget", async () => {
    const url = await listen(createServer(() => {}));
    const client = createHttpClient({ backoffMs: 5 });
    const started = Date.now();
    const error = await failure(client.request({ method: "GET", url, timeoutMs: 300, idempotent: true }));
    expect(error.code).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(2_000);
    await client.close();
  });

  it("a reset mid-request: a POST is sent once, an idempotent GET is retried", async () => {
    let hits = 0;
    const url = await listen(
      createServer((socket) =>
        socket.once("data", () => {
          hits++;
          socket.destroy();
        }),
      ),
    );
    const client = createHttpClient({ retries: 2, backoffMs: 5 });
    const post = await failure(client.request({ method: "POST", url, body: "x" }));
    expect(post.code).toBe("UNREACHABLE");
    expect(hits).toBe(1);
    hits = 0;
    await failure(client.request({ method: "GET", url, idempotent: true }));
    expect(hits).toBe(3);
    await client.close();
  });

  it("503 is retried for idempotent reads only", async () => {
    let hits = 0;
    const url = await http((_req, res) => {
      hits++;
      res.writeHead(hits === 1 ? 503 : 200, { connection: hits === 1 ? "close" : "keep-alive" });
      res.end(hits === 1 ? "busy" : "ok");
    });
    const client = createHttpClient({ backoffMs: 5 });
    expect((await client.request({ method: "GET", url, idempotent: true })).status).toBe(200);
    expect(hits).toBe(2);
    hits = 0;
    expect((await client.request({ method: "POST", url })).status).toBe(503);
    expect(hits).toBe(1);
    await client.close();
  });

  it("does not reuse a connection the server closed after an error", async () => {
    const seen = new Set<unknown>();
    let n = 0;
    const url = await http((req, res) => {
      seen.add(req.socket);
      n++;
      if (n === 1) {
        res.writeHead(500, { connection: "close", "content-type": "application/json" });
        res.end('{"code":500,"type":"X","message":"boom"}', () => req.socket.destroy());
      } else {
        res.end("fine");
      }
    });
    const client = createHttpClient();
    expect((await client.request({ method: "POST", url })).status).toBe(500);
    const second = await client.request({ method: "POST", url });
    expect(second.status).toBe(200);
    expect(seen.size).toBe(2);
    await client.close();
  });

  it("the caller's abort is INTERRUPTED, not a timeout", async () => {
    const url = await listen(createServer(() => {}));
    const controller = new AbortController();
    const client = createHttpClient();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(
      client.request({ method: "GET", url, signal: controller.signal, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe("INTERRUPTED");
    await client.close();
  });

  it("never shows the Authorization header or query secrets in debug lines or errors", async () => {
    const url = await refusedUrl();
    const lines: string[] = [];
    const client = createHttpClient({ retries: 1, backoffMs: 5, onDebug: (l) => lines.push(l) });
    const error = await failure(
      client.request({
        method: "GET",
        url: `${url}/token`,
        query: { type: "management", key: "s3cr3tkey" },
        headers: { authorization: "Bearer s3cr3tkey" },
        idempotent: true,
      }),
    );
    for (const text of [...lines, error.message, error.hint ?? ""]) expect(text).not.toContain("s3cr3tkey");
  });
});
