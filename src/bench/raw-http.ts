import { connect, type Socket } from "node:net";
import type { ErrorKind, Outcome } from "./load.js";

/**
 * A minimal HTTP/1.1 keep-alive client for load generation: requests are
 * serialized once, each connection carries one request at a time, and the
 * parser only finds where a response ends (Content-Length or chunked). That is
 * what lets the client stay cheap next to the server it measures; everything
 * else in mserve goes through src/http.
 */

interface Pending {
  resolve: (outcome: Outcome) => void;
  deadline: number;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");

/** Where a response ends in `buf`, or -1 when more bytes are needed; also its status and whether the server closes. */
export function parseResponse(buf: Buffer): { end: number; status: number; close: boolean } | { end: -1 } {
  const headEnd = buf.indexOf(CRLFCRLF);
  if (headEnd === -1) return { end: -1 };
  const head = buf.toString("latin1", 0, headEnd);
  const status = Number(head.slice(9, 12));
  const lower = head.toLowerCase();
  const close = /\r\nconnection:\s*close/.test(lower);
  const bodyStart = headEnd + 4;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(lower);
  if (length) {
    const end = bodyStart + Number(length[1]);
    return buf.length >= end ? { end, status, close } : { end: -1 };
  }
  if (/\r\ntransfer-encoding:\s*chunked/.test(lower)) {
    let at = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd === -1) return { end: -1 };
      const size = Number.parseInt(buf.toString("latin1", at, lineEnd), 16);
      if (Number.isNaN(size)) return { end: buf.length, status, close: true };
      if (size === 0) {
        const trailerEnd = buf.indexOf(CRLFCRLF, lineEnd);
        return trailerEnd === -1 ? { end: -1 } : { end: trailerEnd + 4, status, close };
      }
      at = lineEnd + 2 + size + 2;
      if (at > buf.length) return { end: -1 };
    }
  }
  // No length: the body runs until the server closes (HTTP/1.0 style); treat the close as the end.
  return { end: -1 };
}

function kindOf(status: number, body: string): ErrorKind {
  if (status === 400 && body.includes("InvalidKeyException")) return "auth";
  return status >= 500 ? "http-5xx" : "http-4xx";
}

class Connection {
  private socket: Socket | undefined;
  private buffer: Buffer | undefined;
  private pending: Pending | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  send(request: Buffer, timeoutMs: number): Promise<Outcome> {
    return new Promise((resolve) => {
      this.pending = { resolve, deadline: performance.now() + timeoutMs };
      const socket = this.socket ?? this.open();
      socket.write(request);
    });
  }

  /** Called by the pool's sweeper: a request past its deadline ends as a timeout and its socket is dropped. */
  expire(now: number): void {
    if (this.pending && now > this.pending.deadline) this.fail("timeout");
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    // Events of a socket this connection already dropped must not touch the request now in flight.
    const current = () => this.socket === socket;
    socket.on("data", (chunk: Buffer) => current() && this.onData(chunk));
    socket.on("error", () => current() && this.fail("connection"));
    socket.on("close", () => current() && this.fail("connection"));
    this.socket = socket;
    this.buffer = undefined;
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const parsed = parseResponse(this.buffer);
    if (parsed.end === -1) return;
    const { status, close } = parsed as { end: number; status: number; close: boolean };
    const body = status >= 400 ? this.buffer.toString("utf8", 0, Math.min(parsed.end, 4096)) : "";
    this.buffer = parsed.end < this.buffer.length ? this.buffer.subarray(parsed.end) : undefined;
    // TorchServe closes after every error: never send the next request on that socket.
    if (close) this.close();
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(status < 400 ? { ok: true } : { ok: false, kind: kindOf(status, body) });
  }

  private fail(kind: ErrorKind): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    this.close();
    pending.resolve({ ok: false, kind });
  }
}

export interface RawPool {
  /** Sends one request on an idle connection; at most `connections` run at once. */
  send(request: Buffer): Promise<Outcome>;
  close(): void;
}

export function createRawPool(origin: URL, connections: number, timeoutMs: number): RawPool {
  const port = Number(origin.port || 80);
  const idle = Array.from({ length: connections }, () => new Connection(origin.hostname, port));
  const all = [...idle];
  const waiting: ((c: Connection) => void)[] = [];
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const c of all) c.expire(now);
  }, 50);
  sweeper.unref();
  const acquire = () =>
    idle.length > 0
      ? Promise.resolve(idle.pop() as Connection)
      : new Promise<Connection>((r) => waiting.push(r));
  const release = (c: Connection) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  return {
    async send(request) {
      const connection = await acquire();
      try {
        return await connection.send(request, timeoutMs);
      } finally {
        release(connection);
      }
    },
    close() {
      clearInterval(sweeper);
      for (const c of all) c.close();
    },
  };
}

/** The request bytes, serialized once per body. */
export function serializeRequest(
  origin: URL,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  contentType: string,
): Buffer {
  // A Host given by the caller (a KServe ingress route) replaces the origin's.
  const extra = Object.entries(headers).filter(([k]) => !/^(content-type|content-length)$/i.test(k));
  const host = extra.find(([k]) => k.toLowerCase() === "host")?.[1] ?? origin.host;
  const lines = [
    `POST ${path} HTTP/1.1`,
    `host: ${host}`,
    `content-type: ${contentType}`,
    `content-length: ${body.length}`,
    ...extra.filter(([k]) => k.toLowerCase() !== "host").map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]);
}
