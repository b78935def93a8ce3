import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mserve, repoRoot, tempProject } from "../helpers/cli.js";

const recordings = join(repoRoot, "test", "fixtures", "recorded", "torchserve");

/**
 * Faults between mserve and a server, provoked with small local sockets (a
 * refused port, a server that never answers, one that drops the connection
 * mid-request). Those are network conditions, not a fake TorchServe.
 */
let dir: string;
let cleanup: () => Promise<void>;
const servers: Server[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempProject());
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});
afterAll(() => cleanup());

describe("server faults map to the documented exit codes", () => {
  it("no server running: exit 6 with a hint to run mserve serve", async () => {
    const result = await mserve(["models"], { cwd: dir });
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toMatch(/no TorchServe started by mserve is running/);
    expect(result.stderr).toMatch(/mserve serve/);
  });

  it("wrong port (connection refused): exit 6 naming the URL", async () => {
    const port = await closedPort();
    const result = await mserve(["models", "--url", `http://127.0.0.1:${port}`, "-o", "json"], { cwd: dir });
    expect(result.exitCode).toBe(6);
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe("UNREACHABLE");
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it("a server that accepts and never answers: exit 8 after --timeout", async () => {
    const held: Socket[] = [];
    const port = await listen(createServer((socket) => held.push(socket)));
    const started = Date.now();
    const result = await mserve(["models", "--url", `http://127.0.0.1:${port}`, "--timeout", "1s"], {
      cwd: dir,
    });
    expect(result.exitCode).toBe(8);
    expect(result.stderr).toMatch(/did not answer|timed out/);
    // Retries of an idempotent read stay inside the one budget, not one per attempt.
    expect(Date.now() - started).toBeLessThan(15_000);
    for (const socket of held) socket.destroy();
  });

  it("a server that drops the connection mid-request: exit 6, and a POST is sent once", async () => {
    let hits = 0;
    const port = await listen(
      createServer((socket) => {
        socket.once("data", () => {
          hits++;
          socket.destroy();
        });
      }),
    );
    const result = await mserve(
      [
        "predict",
        "intent",
        "--data",
        "hello",
        "--url",
        `http://127.0.0.1:${port + 1}`,
        "--inference-url",
        `http://127.0.0.1:${port}`,
      ],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toMatch(/reset|closed/i);
    expect(hits).toBe(1);
  });

  it("recorded TorchServe answers: 404 → 4, 409 → 5, 500 → 7 with the log hint, 405 → 7 with the model-API hint", async () => {
    // Bodies, statuses and headers replayed from a real TorchServe 0.12.0 (scripts/record-torchserve.mjs).
    const replay: Record<string, string> = {
      "GET /models/ghost": "describe-model-unknown",
      "GET /models/intent": "describe",
      "GET /models/intent/1": "describe",
      "POST /models": "register-conflict",
      "PUT /models/intent": "register-worker-fails",
      "DELETE /models/intent/1": "model-api-disabled-unregister",
    };
    const port = await listen(
      createHttpServer(async (req, res) => {
        const key = `${req.method} ${(req.url ?? "").split("?")[0]}`;
        const recorded = JSON.parse(
          await readFile(join(recordings, `${replay[key] ?? "unknown-path"}.json`), "utf8"),
        );
        const body =
          typeof recorded.body === "string" ? recorded.body : `${JSON.stringify(recorded.body, null, 2)}\n`;
        res.writeHead(recorded.status, { ...recorded.headers, "content-length": Buffer.byteLength(body) });
        res.end(body);
      }) as unknown as Server,
    );
    const url = ["--url", `http://127.0.0.1:${port}`];
    const notFound = await mserve(["models", "ghost", ...url], { cwd: dir });
    expect(notFound.exitCode).toBe(4);
    expect(notFound.stderr).toContain("Model not found: nosuchmodel");
    const taken = await mserve(["register", "intent.mar", ...url], { cwd: dir });
    expect(taken.exitCode).toBe(5);
    expect(taken.stderr).toMatch(/already registered/);
    const failed = await mserve(["scale", "intent", "--min", "1", ...url], { cwd: dir });
    expect(failed.exitCode).toBe(7);
    expect(failed.stderr).toMatch(/Failed to start workers/);
    expect(failed.stderr).toMatch(/mserve logs/);
    const disabled = await mserve(["unregister", "intent:1", "--yes", ...url], { cwd: dir });
    expect(disabled.exitCode).toBe(7);
    expect(disabled.stderr).toMatch(/model API is disabled/);
    expect(disabled.stderr).toMatch(/--enable-model-api|enable_model_api=true/);
  });
});

describe("serve refuses what would fail later", () => {
  it("a port already in use: exit 5 naming the port and the process", async () => {
    const port = await listen(createServer());
    const result = await mserve(
      ["serve", "--name", "busy", "--ports", `${port},${port + 1},${port + 2}`, "--disable-token-auth"],
      { cwd: dir, env: { MSERVE_TORCHSERVE_BIN: "/bin/true" } },
    );
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain(`port ${port}`);
    expect(result.stderr).toContain(`pid ${process.pid}`);
    const ps = JSON.parse((await mserve(["ps", "-o", "json"], { cwd: dir })).stdout);
    expect(ps.servers).toEqual([]);
  });

  it("a server that dies during start-up: its log decides the exit code, and no record or process is left", async () => {
    // What TorchServe prints when another process grabs a port between mserve's check and its bind.
    const fake = join(dir, "dying-torchserve");
    await writeFile(
      fake,
      "#!/bin/sh\necho 'java.io.IOException: Failed to bind to address: http://127.0.0.1:8080'\necho 'Caused by: bind(..) failed: Address already in use'\nexit 0\n",
    );
    await chmod(fake, 0o755);
    const result = await mserve(["serve", "--name", "dies", "--ports", "auto", "--timeout", "20s"], {
      cwd: dir,
      env: { MSERVE_TORCHSERVE_BIN: fake },
    });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toMatch(/could not bind its ports/);
    const ps = JSON.parse((await mserve(["ps", "-o", "json"], { cwd: dir })).stdout);
    expect(ps.servers).toEqual([]);
  });

  it("--dry-run for the local runtime prints config and command, even without TorchServe, and writes nothing", async () => {
    const result = await mserve(["serve", "--name", "dry", "--ports", "9080,9081,9082", "--dry-run"], {
      cwd: dir,
      env: { MSERVE_TORCHSERVE_BIN: join(dir, "absent"), VIRTUAL_ENV: "" },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("inference_address=http://127.0.0.1:9080");
    expect(result.stdout).toContain("grpc_inference_port=9090");
    expect(result.stdout).toMatch(
      /torchserve --start --foreground --ncs --model-store \S+ --ts-config \S+ --enable-model-api$/,
    );
    const home = join(dir, ".mserve-home");
    await expect(readFile(join(home, "servers", "dry", "config.properties"))).rejects.toThrow(/ENOENT/);
  });

  it("a stale run record: ps flags it, commands say the server is gone, stop removes it", async () => {
    const home = join(dir, ".mserve-home");
    await mkdir(join(home, "run"), { recursive: true });
    const record = {
      name: "ghost",
      target: "torchserve",
      runtime: "local",
      pid: 2 ** 22 - 7,
      urls: {
        inference: "http://127.0.0.1:1",
        management: "http://127.0.0.1:2",
        metrics: "http://127.0.0.1:3",
      },
      ports: { inference: 1, management: 2, metrics: 3 },
      workDir: join(home, "servers", "ghost"),
      logFile: join(home, "servers", "ghost", "logs", "console.log"),
      configFile: join(home, "servers", "ghost", "config.properties"),
      modelStore: join(home, "servers", "ghost", "model-store"),
      tokenAuth: false,
      command: ["torchserve", "--start"],
      startedAt: new Date().toISOString(),
    };
    await writeFile(join(home, "run", "ghost.json"), JSON.stringify(record));
    const ps = await mserve(["ps"], { cwd: dir });
    expect(ps.exitCode).toBe(0);
    expect(ps.stdout).toMatch(/ghost .*exited/);
    const models = await mserve(["models", "--server", "ghost"], { cwd: dir });
    expect(models.exitCode).toBe(6);
    expect(models.stderr).toMatch(/not running/);
    const stop = await mserve(["stop", "ghost", "-o", "json"], { cwd: dir });
    expect(JSON.parse(stop.stdout).stopped).toEqual([{ name: "ghost", result: "stale" }]);
    expect(JSON.parse((await mserve(["ps", "-o", "json"], { cwd: dir })).stdout).servers).toEqual([]);
  });
});

describe("docker runtime (recorded through a stand-in docker CLI: there is no daemon here)", () => {
  let bin: string;
  let calls: string;
  beforeAll(async () => {
    bin = join(dir, "fake-bin");
    calls = join(dir, "docker-calls.jsonl");
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, "docker"),
      `#!/usr/bin/env node
const fs = require("node:fs");
fs.appendFileSync(${JSON.stringify(calls)}, JSON.stringify(process.argv.slice(2)) + "\\n");
const [cmd] = process.argv.slice(2);
if (cmd === "run") console.log("c0ffee".repeat(10) + "abcd");
else if (cmd === "inspect") console.log("true");
`,
    );
    await chmod(join(bin, "docker"), 0o755);
  });
  const env = () => ({ PATH: `${bin}:${process.env.PATH}` });
  const recorded = async () =>
    (await readFile(calls, "utf8").catch(() => ""))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]);

  it("--dry-run prints the docker run line and the config with the model API on", async () => {
    const result = await mserve(["serve", "--runtime", "docker", "--name", "dk", "--dry-run"], {
      cwd: dir,
      env: env(),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("enable_model_api=true");
    expect(result.stdout).toMatch(
      /docker run -d --name mserve-dk .*pytorch\/torchserve:0\.12\.0-cpu torchserve --start/,
    );
    expect(result.stdout).toContain("-p 127.0.0.1:8080:8080");
    expect(await recorded()).toEqual([]);
  });

  it("serve runs exactly this argv and writes the mounted config; stop stops and removes the container", async () => {
    const result = await mserve(
      [
        "serve",
        "--runtime",
        "docker",
        "--name",
        "dk",
        "--ports",
        "18080,18081,18082",
        "--no-wait",
        "-o",
        "json",
      ],
      { cwd: dir, env: env() },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout);
    const work = join(dir, ".mserve-home", "servers", "dk");
    const uid = `${process.getuid?.()}:${process.getgid?.()}`;
    expect((await recorded())[0]).toEqual([
      "run",
      "-d",
      "--name",
      "mserve-dk",
      "--label",
      "mserve.server=dk",
      "--shm-size=1g",
      "--ulimit",
      "memlock=-1",
      "--ulimit",
      "stack=67108864",
      "--user",
      uid,
      "-p",
      "127.0.0.1:18080:18080",
      "-p",
      "127.0.0.1:18081:18081",
      "-p",
      "127.0.0.1:18082:18082",
      "-v",
      `${join(work, "model-store")}:/home/model-server/model-store`,
      "-v",
      `${work}:/home/model-server/mserve`,
      "-w",
      "/home/model-server/mserve",
      "-e",
      "TEMP=/home/model-server/mserve/tmp",
      "-e",
      "LOG_LOCATION=/home/model-server/mserve/logs",
      "-e",
      "METRICS_LOCATION=/home/model-server/mserve/logs",
      "pytorch/torchserve:0.12.0-cpu",
      "torchserve",
      "--start",
      "--foreground",
      "--ncs",
      "--model-store",
      "/home/model-server/model-store",
      "--ts-config",
      "/home/model-server/mserve/config.properties",
      "--enable-model-api",
    ]);
    const config = await readFile(join(work, "config.properties"), "utf8");
    expect(config).toContain("inference_address=http://0.0.0.0:18080");
    expect(config).toContain("management_address=http://0.0.0.0:18081");
    expect(config).toContain("enable_model_api=true");
    expect(config).toContain("disable_token_authorization=false");
    expect(config).toContain("model_store=/home/model-server/model-store");
    expect(record).toMatchObject({
      name: "dk",
      runtime: "docker",
      containerId: `${"c0ffee".repeat(10)}abcd`,
    });

    const stop = await mserve(["stop", "dk"], { cwd: dir, env: env() });
    expect(stop.exitCode, stop.stderr).toBe(0);
    const calls2 = await recorded();
    const id = `${"c0ffee".repeat(10)}abcd`;
    expect(calls2.some((c) => c[0] === "stop" && c.includes(id))).toBe(true);
    expect(calls2.some((c) => c[0] === "rm" && c.includes(id))).toBe(true);
  });
});
