import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { MserveError } from "../errors.js";

export interface PortRole {
  role: string;
  port: number;
}

/** Whether nothing listens on the port (a bind test: the only check that sees every address family). */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Socket inodes listening on `port`, from /proc/net/tcp{,6} (state 0A = LISTEN). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== "0A") continue;
      if (Number.parseInt(local.split(":")[1] ?? "", 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Which process holds a listening port (Linux only; undefined when it cannot be told). */
export async function portOwner(port: number): Promise<{ pid: number; command: string } | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        const command = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "?")).trim();
        return { pid: Number(pid), command };
      }
    }
  }
  return undefined;
}

/** Refuses to start when a port is taken, naming the port and, where possible, who has it. */
export async function checkPortsFree(ports: PortRole[], host = "127.0.0.1"): Promise<void> {
  for (const { role, port } of ports) {
    if (await isPortFree(port, host)) continue;
    const owner = await portOwner(port);
    throw new MserveError(
      "CONFLICT",
      `port ${port} (${role}) is already in use by ${owner ? `pid ${owner.pid} (${owner.command})` : "another process"}`,
      { hint: "Choose other ports with --ports (or --ports auto), or stop the other server (`mserve ps`)." },
    );
  }
}

/** `count` distinct free loopback ports; all listeners stay open until all are known, so none repeats. */
export async function findFreePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, host, resolve);
      });
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
