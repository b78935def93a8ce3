import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server, type Socket } from "node:net";

/*
 * Real local servers on 127.0.0.1 with injected faults. Each test file calls
 * closeServers() in afterEach; some of these servers never answer, so their
 * sockets are destroyed rather than waited for.
 */

const servers: Server[] = [];
const sockets = new Set<Socket>();

export async function closeServers(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.on("connection", (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A TCP server; `onRequest` runs once per connection, when its first bytes arrive. */
export function rawServer(onRequest: (socket: Socket, hit: number) => void) {
  const state = { url: "", hits: 0, connections: 0 };
  const server = createServer((socket) => {
    state.connections++;
    socket.on("error", () => {});
    socket.once("data", () => onRequest(socket, ++state.hits));
  });
  return listen(server).then((url) => Object.assign(state, { url }));
}

/** An HTTP server counting requests and the distinct sockets they came on. */
export function httpServer(handler: (req: IncomingMessage, res: ServerResponse, hit: number) => void) {
  const seen = new Set<Socket>();
  const state = { url: "", hits: 0, sockets: seen };
  const server = createHttpServer((req, res) => {
    seen.add(req.socket);
    handler(req, res, ++state.hits);
  });
  return listen(server as unknown as Server).then((url) => Object.assign(state, { url }));
}

/** A URL whose port was just free: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
