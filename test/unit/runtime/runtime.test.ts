import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { dockerRun, dockerStop } from "../../../src/runtime/docker.js";
import { validateServerName } from "../../../src/runtime/home.js";
import { followFile, readLogTail } from "../../../src/runtime/logs.js";
import { checkPortsFree, findFreePorts } from "../../../src/runtime/ports.js";
import {
  listRecords,
  readRecord,
  recordState,
  removeRecord,
  writeRecord,
} from "../../../src/runtime/records.js";
import { isGroupAlive, startDetached, stopProcessGroup } from "../../../src/runtime/supervisor.js";
import type { ServerRecord } from "../../../src/runtime/types.js";
import { waitUntil } from "../../../src/runtime/wait.js";

const temp = () => mkdtemp(join(tmpdir(), "mserve-runtime-"));

const record = (home: string, extra: Partial<ServerRecord> = {}): ServerRecord => ({
  name: "ts1",
  target: "torchserve",
  runtime: "local",
  pid: 2 ** 22 - 3,
  urls: { inference: "http://127.0.0.1:1" },
  ports: { inference: 1 },
  workDir: home,
  logFile: join(home, "log"),
  configFile: join(home, "config.properties"),
  modelStore: join(home, "store"),
  tokenAuth: false,
  command: ["/venv/bin/torchserve", "--start"],
  startedAt: new Date(0).toISOString(),
  ...extra,
});

describe("run records", () => {
  it("round-trip atomically, list, and remove", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    await writeRecord(env, record(home));
    expect(await readRecord(env, "ts1")).toEqual(record(home));
    expect(await readdir(join(home, "run"))).toEqual(["ts1.json"]);
    expect((await listRecords(env)).records).toHaveLength(1);
    await removeRecord(env, "ts1");
    await expect(readRecord(env, "ts1")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a damaged record is a problem in the listing and INVALID_INPUT when read", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    await mkdir(join(home, "run"));
    await writeFile(join(home, "run", "bad.json"), "{not json");
    await writeRecord(env, record(home));
    const { records, problems } = await listRecords(env);
    expect(records.map((r) => r.name)).toEqual(["ts1"]);
    expect(problems[0]).toMatch(/bad\.json is damaged/);
    await expect(readRecord(env, "bad")).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("names are path-safe", () => {
    expect(validateServerName("ci-1.a_b")).toBe("ci-1.a_b");
    for (const bad of ["../x", "a/b", "", "-x", "x".repeat(64)])
      expect(() => validateServerName(bad)).toThrow(/invalid/);
  });

  it("a dead pid, or a live pid running another program, is exited", async () => {
    const home = await temp();
    expect(await recordState(record(home))).toBe("exited");
    // This test process is alive but is not torchserve: a reused pid.
    expect(await recordState(record(home, { pid: process.pid }))).toBe("exited");
    expect(await recordState(record(home, { pid: process.pid, command: [process.execPath] }))).toBe(
      "running",
    );
  });
});

describe("supervisor", () => {
  it("starts a detached group logging to a file, and stops it gracefully", async () => {
    const dir = await temp();
    const log = join(dir, "out.log");
    const { pid } = await startDetached({
      file: process.execPath,
      args: ["-e", "console.log('started'); setInterval(() => {}, 1000)"],
      cwd: dir,
      env: process.env,
      logFile: log,
    });
    await waitUntil(async () => ((await readFile(log, "utf8")).includes("started") ? true : undefined), {
      timeoutMs: 5_000,
      what: "the child to log",
    });
    expect(isGroupAlive(pid)).toBe(true);
    expect(await stopProcessGroup(pid, { graceMs: 5_000 })).toEqual({ forced: false });
    expect(isGroupAlive(pid)).toBe(false);
  });

  it("kills a group that ignores SIGTERM after the grace period", async () => {
    const dir = await temp();
    const log = join(dir, "out.log");
    const { pid } = await startDetached({
      file: process.execPath,
      args: ["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      cwd: dir,
      env: process.env,
      logFile: log,
    });
    await waitUntil(async () => ((await readFile(log, "utf8")).includes("ready") ? true : undefined), {
      timeoutMs: 5_000,
      what: "the child to install its handler",
    });
    expect(await stopProcessGroup(pid, { graceMs: 300 })).toEqual({ forced: true });
    expect(isGroupAlive(pid)).toBe(false);
  });

  it("a missing executable is a clear error", async () => {
    const dir = await temp();
    await expect(
      startDetached({
        file: join(dir, "nope"),
        args: [],
        cwd: dir,
        env: process.env,
        logFile: join(dir, "l"),
      }),
    ).rejects.toThrow(/cannot start .*nope: ENOENT/);
  });
});

describe("ports", () => {
  it("names the port, its role and the owning process", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(checkPortsFree([{ role: "inference", port }])).rejects.toThrow(
        new RegExp(`port ${port} \\(inference\\) is already in use by pid ${process.pid}`),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(checkPortsFree([{ role: "inference", port }])).resolves.toBeUndefined();
  });

  it("finds distinct free ports", async () => {
    const ports = await findFreePorts(5);
    expect(new Set(ports).size).toBe(5);
  });
});

describe("waitUntil", () => {
  it("returns the first value, times out with TIMEOUT, stops on abort", async () => {
    let n = 0;
    expect(
      await waitUntil(async () => (++n === 3 ? "done" : undefined), {
        timeoutMs: 2_000,
        intervalMs: 10,
        what: "x",
      }),
    ).toBe("done");
    await expect(
      waitUntil(async () => undefined, { timeoutMs: 100, intervalMs: 10, what: "never" }),
    ).rejects.toMatchObject({
      code: "TIMEOUT",
      message: expect.stringContaining("waiting for never"),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      waitUntil(async () => undefined, {
        timeoutMs: 5_000,
        intervalMs: 10,
        what: "x",
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: "INTERRUPTED" });
  });
});

describe("logs", () => {
  it("tails the last lines of a large file and follows appends", async () => {
    const dir = await temp();
    const file = join(dir, "big.log");
    await writeFile(file, `${Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join("\n")}\n`);
    expect(await readLogTail(file, 3)).toBe("line 49997\nline 49998\nline 49999\n");
    const controller = new AbortController();
    const seen: string[] = [];
    const following = followFile(file, (chunk) => seen.push(chunk), {
      signal: controller.signal,
      intervalMs: 20,
    });
    await sleep(50);
    await appendFile(file, "new line\n");
    await waitUntil(async () => (seen.join("").includes("new line") ? true : undefined), {
      timeoutMs: 2_000,
      what: "x",
    });
    controller.abort();
    await following;
    expect(seen.join("")).toBe("new line\n");
  });
});

describe("docker driver (stand-in docker CLI)", () => {
  async function fakeDocker(script: string) {
    const dir = await temp();
    await writeFile(join(dir, "docker"), `#!/bin/sh\n${script}\n`);
    await chmod(join(dir, "docker"), 0o755);
    return { PATH: `${dir}:/usr/bin:/bin` };
  }
  it("returns the container id", async () => {
    expect(await dockerRun(["run", "-d", "img"], await fakeDocker('echo "abc123"'))).toBe("abc123");
  });
  it.each([
    [
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
      "UNREACHABLE",
    ],
    ["Bind for 127.0.0.1:8080 failed: port is already allocated", "CONFLICT"],
    ['Conflict. The container name "/mserve-ts" is already in use by container "x"', "CONFLICT"],
    ["some other failure", "SERVER_ERROR"],
  ])("maps %s", async (stderr, code) => {
    const env = await fakeDocker(`echo '${stderr}' >&2; exit 125`);
    await expect(dockerRun(["run", "-d", "img"], env)).rejects.toMatchObject({ code });
  });
  it("no docker CLI is NOT_FOUND", async () => {
    await expect(dockerRun(["run"], { PATH: "/nonexistent" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
  it("stop tolerates a container that is already gone", async () => {
    const env = await fakeDocker('echo "Error: No such container: x" >&2; exit 1');
    await expect(dockerStop("x", { env })).resolves.toBeUndefined();
  });
});
