import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import type { Readable } from "node:stream";
import { nodeHttp, nodeHttps } from "../lazy-builtins.js";
import type { HttpRequest, HttpResponse } from "./types.js";

/** Thrown while reading a body over the cap; the client turns it into a SERVER_ERROR naming the server. */
export class BodyTooLarge extends Error {}

/** The failure of a connection that was not made in time: mapped like a kernel connect timeout. */
function connectTimeout(ms: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`no connection within ${ms} ms`), { code: "ETIMEDOUT", syscall: "connect" });
}

/**
 * One keep-alive pool per client over Node's own http/https (no HTTP package
 * to load, which keeps `mserve predict` close to `node -e 0`). Sockets the
 * server closes (TorchServe answers errors with `Connection: close`) leave the
 * pool; idle ones are dropped after 4 s, before typical server idle timeouts.
 */
export function createTransport(options: { connectTimeoutMs: number; maxBodyBytes: number }) {
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: 1_000,
    timeout: 4_000,
    scheduling: "lifo" as const,
  };
  const httpModule = nodeHttp();
  const plain = { request: httpModule.request, agent: new httpModule.Agent(agentOptions) as HttpAgent };
  // Made on the first https:// request: only then does node:https load.
  let secure: { request: typeof import("node:https").request; agent: HttpsAgent } | undefined;
  const secureClient = () => {
    if (!secure) {
      const httpsModule = nodeHttps();
      secure = { request: httpsModule.request, agent: new httpsModule.Agent(agentOptions) };
    }
    return secure;
  };

  /** One HTTP exchange: resolves with any status, rejects with the socket's error or the signal's. */
  function exchange(req: HttpRequest, url: URL, signal: AbortSignal): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const started = performance.now();
      const { request, agent } = url.protocol === "https:" ? secureClient() : plain;
      const outgoing = request(url, { method: req.method, headers: req.headers, agent, signal });
      let connectTimer: NodeJS.Timeout | undefined;
      outgoing.once("socket", (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(
          () => outgoing.destroy(connectTimeout(options.connectTimeoutMs)),
          options.connectTimeoutMs,
        );
        socket.once("connect", () => clearTimeout(connectTimer));
      });
      outgoing.once("error", (error) => {
        clearTimeout(connectTimer);
        reject(error);
      });
      outgoing.once("response", (incoming) => {
        clearTimeout(connectTimer);
        readCapped(incoming, options.maxBodyBytes, req.method !== "HEAD").then(
          (body) => resolve(toResponse(incoming, body, performance.now() - started)),
          reject,
        );
      });
      const body = req.body;
      if (body && typeof (body as Readable).pipe === "function") (body as Readable).pipe(outgoing);
      else outgoing.end(body as string | Buffer | Uint8Array | undefined);
    });
  }

  return {
    exchange,
    /** Idle sockets go at once, so the process can exit without waiting for keep-alive timers. */
    close: async () => {
      plain.agent.destroy();
      secure?.agent.destroy();
    },
  };
}

/**
 * Reads a whole response body, refusing more than `capBytes`: these APIs answer with
 * small JSON, and a runaway answer must not fill the memory of the CLI.
 */
async function readCapped(incoming: IncomingMessage, capBytes: number, expectBody: boolean): Promise<Buffer> {
  const declared = Number(incoming.headers["content-length"]);
  if (expectBody && Number.isFinite(declared) && declared > capBytes) {
    // Fail before downloading anything; destroying the body also drops the socket.
    incoming.destroy();
    throw new BodyTooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > capBytes) {
      incoming.destroy();
      throw new BodyTooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

function toResponse(incoming: IncomingMessage, body: Buffer, elapsedMs: number): HttpResponse {
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(incoming.headers))
    headers[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  let parsed: { value: unknown } | undefined;
  return {
    status: incoming.statusCode ?? 0,
    headers,
    body,
    elapsedMs,
    text: () => body.toString("utf8"),
    json: () => {
      if (!parsed) {
        try {
          parsed = { value: JSON.parse(body.toString("utf8")) };
        } catch {
          parsed = { value: undefined };
        }
      }
      return parsed.value;
    },
  };
}
