import type { Send } from "./load.js";
import { createRawPool, serializeRequest } from "./raw-http.js";

export interface RequestBody {
  body: Buffer;
  contentType: string;
}

export interface SenderOptions {
  /** Origin of the inference API, e.g. http://127.0.0.1:8080. Requests go there and nowhere else. */
  origin: string;
  /** Path of the prediction route, e.g. /predictions/intent/2. */
  path: string;
  /** Cycled through in order, one per request. */
  bodies: RequestBody[];
  headers: Record<string, string>;
  connections: number;
  timeoutMs: number;
}

/** Requests serialized once, cycled through on a pool with a connection per concurrent request. */
export function createHttpSender(options: SenderOptions): { send: Send; close(): Promise<void> } {
  const origin = new URL(options.origin);
  const requests = options.bodies.map((b) =>
    serializeRequest(origin, options.path, options.headers, b.body, b.contentType),
  );
  const pool = createRawPool(origin, options.connections, options.timeoutMs);
  let next = 0;
  return {
    send: () => pool.send(requests[next++ % requests.length] as Buffer),
    close: async () => pool.close(),
  };
}
