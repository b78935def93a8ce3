import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { MserveError } from "../errors.js";

export interface PortRole {
  role: string;
  port: number;
}

/** Why `port` cannot be bound (an errno code such as EADDRINUSE or EACCES), or undefined when it can. */
function bindError(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "EUNKNOWN"));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

const validPort = (port: number) => Number.isInteger(port) && port > 0 && port < 65_536;

/** Whether nothing listens on the port (a bind test: the only check that sees every address family). */
export async function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return validPort(port) && (await bindError(port, host)) === undefined;
}

/** Socket inodes listening on `port`, from /proc/net/tcp{,6} (state 0A = LISTEN). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const localPort = cols[1]?.split(":").pop();
      if (cols[3] !== "0A" || !localPort || !cols[9]) continue;
      if (Number.parseInt(localPort, 16) === port) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/**
 * Which process holds a listening port (Linux only): the socket's inode, then
 * the process with a `socket:[inode]` descriptor. Undefined when it cannot be
 * told, e.g. no /proc or the owner belongs to another user (its fds are private).
 */
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
    if (!validPort(port)) {
      throw new MserveError("INVALID_INPUT", `port ${port} (${role}) is not a valid TCP port`, {
        hint: "Ports are whole numbers from 1 to 65535.",
      });
    }
    const code = await bindError(port, host);
    if (code === undefined) continue;
    if (code === "EACCES") {
      throw new MserveError("INVALID_INPUT", `port ${port} (${role}) needs root privileges to bind`, {
        hint: "Choose ports above 1023 with --ports.",
      });
    }
    if (code === "EADDRNOTAVAIL") {
      throw new MserveError("INVALID_INPUT", `cannot bind ${host}: no such local address`);
    }
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

/**
 * `--ports` of a server with named ports: "a,b,c" in the order of `defaults`' keys,
 * "auto" for free loopback ports, nothing for the defaults.
 */
export async function chooseNamedPorts<P extends { [K in keyof P]: number }>(
  text: string | undefined,
  defaults: P,
  server: string,
): Promise<P> {
  const keys = Object.keys(defaults) as (keyof P & string)[];
  const named = (values: (number | undefined)[]) =>
    Object.fromEntries(keys.map((key, i) => [key, values[i] ?? defaults[key]])) as P;
  if (text === "auto") return named(await findFreePorts(keys.length));
  if (!text) return defaults;
  const parts = text.split(",").map((p) => Number(p.trim()));
  if (parts.length !== keys.length || parts.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    throw new MserveError("USAGE", `invalid --ports "${text}" for ${server}`, {
      hint: `Give ${keys.join(",")} ports (e.g. ${Object.values(defaults).join(",")}) or auto.`,
    });
  }
  return named(parts);
}
