import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, mserve, repoRoot, tempProject } from "../helpers/cli.js";

/**
 * `mserve bench` end to end against a local server that answers at once
 * (describe with a body recorded from TorchServe; every 10th prediction a 503),
 * so these tests check the client's counting, output and interruption quickly.
 */
let dir: string;
let cleanup: () => Promise<void>;
let server: Server;
let url: string;
let predictions = 0;

beforeAll(async () => {
  ({ dir, cleanup } = await tempProject());
  const describeBody = JSON.stringify(
    JSON.parse(await readFile(join(repoRoot, "test/fixtures/recorded/torchserve/describe.json"), "utf8"))
      .body,
  );
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "application/json" }).end(describeBody);
        return;
      }
      predictions++;
      if (predictions % 10 === 0) {
        res
          .writeHead(503, { connection: "close" })
          .end('{"code":503,"type":"ServiceUnavailableException","message":"busy"}');
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end('{"intent":"set_timer"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await cleanup();
});

const target = () => ["--url", url, "--inference-url", url];

describe("mserve bench", () => {
  it("-o json: every level with requests, errors by kind, throughput and percentiles; --csv too", async () => {
    predictions = 0;
    const result = await mserve(
      [
        "bench",
        "intent",
        "--data",
        "hi",
        ...target(),
        "-c",
        "1,3",
        "-n",
        "100",
        "--warmup",
        "0s",
        "--csv",
        "out.csv",
        "-o",
        "json",
      ],
      { cwd: dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ model: "intent", mode: "closed-loop", requests: 100, interrupted: false });
    expect(doc.levels).toHaveLength(2);
    for (const level of doc.levels) {
      expect(level.requests).toBe(100);
      expect(level.ok + (level.errors["http-5xx"] ?? 0)).toBe(100);
      expect(level.errors["http-5xx"]).toBeGreaterThanOrEqual(9);
      expect(Object.keys(level.latency).sort()).toEqual([
        "count",
        "max",
        "mean",
        "min",
        "p50",
        "p90",
        "p95",
        "p99",
      ]);
      expect(level.throughput).toBeGreaterThan(0);
    }
    expect(predictions).toBe(200);
    const csv = (await readFile(join(dir, "out.csv"), "utf8")).trim().split("\n");
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(/^concurrency,rate,requests,ok,errors,throughput_rps,p50_ms/);
  });

  it("text: a table and a chart of throughput and p99 against concurrency", async () => {
    const result = await mserve(
      ["bench", "intent", "--data", "hi", ...target(), "-c", "1,2", "-n", "50", "--warmup", "0s"],
      {
        cwd: dir,
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /CONC\s+REQUESTS\s+ERRORS\s+REQ\/S\s+P50 ms\s+P90 ms\s+P95 ms\s+P99 ms\s+MAX ms/,
    );
    expect(result.stdout).toMatch(/throughput \(req\/s\)\s+p99 latency \(ms\)/);
    expect(result.stdout).toMatch(/█/);
    expect(result.stderr).toMatch(/request\(s\) failed/);
  });

  it("Ctrl-C prints what was measured so far and exits 130", async () => {
    const child = execa(
      "node",
      [
        binPath,
        "bench",
        "intent",
        "--data",
        "hi",
        ...target(),
        "-c",
        "2,4",
        "--duration",
        "30s",
        "--warmup",
        "0s",
      ],
      {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: "1", CI: "1", MSERVE_HOME: join(dir, ".mserve-home") },
      },
    );
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(/^CONC/m);
    expect(result.stdout).toMatch(/^2\s+\d+/m);
    expect(result.stderr).toMatch(/interrupted/);
  });

  it("bad flags are usage errors", async () => {
    for (const args of [
      ["-c", "0"],
      ["--rate", "-3"],
      ["--duration", "5s", "-n", "10"],
    ]) {
      const result = await mserve(["bench", "intent", "--data", "hi", ...target(), ...args], { cwd: dir });
      expect(result.exitCode, args.join(" ")).toBe(2);
    }
  });
});
