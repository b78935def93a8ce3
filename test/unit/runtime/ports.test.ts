import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkPortsFree,
  chooseNamedPorts,
  findFreePorts,
  isPortFree,
  portOwner,
} from "../../../src/runtime/ports.js";

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
});

/** Listens in this (test) process, so the owner found should be this pid. */
async function occupy(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as { port: number }).port;
}

describe("checkPortsFree", () => {
  it("names the port, its role and the process that holds it (this test's pid)", async () => {
    const [free] = await findFreePorts(1);
    const taken = await occupy();
    const comm = (await readFile("/proc/self/comm", "utf8")).trim();
    await expect(
      checkPortsFree([
        { role: "management", port: free as number },
        { role: "inference", port: taken },
      ]),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: `port ${taken} (inference) is already in use by pid ${process.pid} (${comm})`,
      hint: expect.stringMatching(/--ports.*`mserve ps`/),
    });
    expect(await portOwner(taken)).toEqual({ pid: process.pid, command: comm });
  });

  it("sees a listener on all interfaces and on IPv6 (read from /proc/net/tcp6)", async () => {
    const port = await occupy("::");
    await expect(checkPortsFree([{ role: "metrics", port }])).rejects.toThrow(
      `port ${port} (metrics) is already in use by pid ${process.pid}`,
    );
  });

  it("passes when every port is free, and refuses ports that are not ports", async () => {
    const ports = await findFreePorts(3);
    await expect(checkPortsFree(ports.map((port, i) => ({ role: `r${i}`, port })))).resolves.toBeUndefined();
    await expect(checkPortsFree([{ role: "inference", port: 70_000 }])).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: "port 70000 (inference) is not a valid TCP port",
    });
  });
});

describe("isPortFree / findFreePorts", () => {
  it("tell a taken port from a free one", async () => {
    const taken = await occupy();
    expect(await isPortFree(taken)).toBe(false);
    expect(await isPortFree(0.5)).toBe(false);
  });

  it("finds distinct ports that are free once returned", async () => {
    const ports = await findFreePorts(8);
    expect(new Set(ports).size).toBe(8);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
  });
});

describe("chooseNamedPorts", () => {
  const defaults = { http: 8000, grpc: 8001, metrics: 8002 };

  it("reads ports in the order of the defaults, or takes the defaults", async () => {
    expect(await chooseNamedPorts("9000, 9001,9002", defaults, "Triton")).toEqual({
      http: 9000,
      grpc: 9001,
      metrics: 9002,
    });
    expect(await chooseNamedPorts(undefined, defaults, "Triton")).toEqual(defaults);
  });

  it("auto: distinct free ports under the same names", async () => {
    const ports = await chooseNamedPorts("auto", defaults, "Triton");
    expect(Object.keys(ports)).toEqual(["http", "grpc", "metrics"]);
    expect(new Set(Object.values(ports)).size).toBe(3);
  });

  it("refuses a wrong count or a port out of range, naming the server and the order", async () => {
    for (const text of ["9000,9001", "9000,9001,70000", "a,b,c"]) {
      await expect(chooseNamedPorts(text, defaults, "MLServer")).rejects.toMatchObject({
        code: "USAGE",
        message: `invalid --ports "${text}" for MLServer`,
        hint: "Give http,grpc,metrics ports (e.g. 8000,8001,8002) or auto.",
      });
    }
  });
});
