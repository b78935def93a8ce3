import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePorts } from "../../src/runtime/ports.js";
import { type CliResult, mserve, repoRoot, tempProject } from "../helpers/cli.js";
import { realToolsRequired } from "../helpers/python.js";

/**
 * mserve's KServe v1 and v2 calls against KServe's own Python model server
 * (kserve 0.21.0 from PyPI, in .venv-kserve) serving the intent fixture
 * through fixtures/intent/kserve_server.py: a real, separately maintained
 * implementation of both protocols.
 */
const python = join(process.env.MSERVE_KSERVE_VENV ?? join(repoRoot, ".venv-kserve"), "bin", "python");
const missing = existsSync(python) ? undefined : `${python} not found: run \`npm run setup:python\``;
if (missing && realToolsRequired()) throw new Error(`MSERVE_REQUIRE_REAL_SERVERS=1 but ${missing}`);
if (missing) console.warn(`skipping the KServe server tests: ${missing}`);

const json = (result: CliResult) => JSON.parse(result.stdout);

describe.skipIf(Boolean(missing))("KServe v1/v2 against KServe's Python model server", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: ChildProcess;
  let url: string;
  const run = (...args: string[]) => mserve(args, { cwd: dir });
  const ok = async (...args: string[]) => {
    const result = await run(...args);
    expect(result.exitCode, `mserve ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    const [http, grpc] = (await findFreePorts(2)) as number[];
    url = `http://127.0.0.1:${http}`;
    server = spawn(
      python,
      [
        join(repoRoot, "fixtures", "intent", "kserve_server.py"),
        `--http_port=${http}`,
        `--grpc_port=${grpc}`,
      ],
      {
        detached: true,
        stdio: "ignore",
      },
    );
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const ready = await fetch(`${url}/v2/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("the KServe model server did not become ready");
  }, 120_000);

  afterAll(async () => {
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGKILL");
      } catch {}
    }
    await cleanup?.();
  });

  it("reads v2 readiness and metadata", async () => {
    const described = json(
      await ok(
        "models",
        "intent",
        "--target",
        "kserve",
        "--url",
        url,
        "--host",
        "intent.default.example.com",
        "-o",
        "json",
      ),
    );
    expect(described).toMatchObject({
      name: "intent",
      ready: true,
      metadata: { inputs: [{ name: "TEXT", datatype: "BYTES", shape: [-1, 1] }] },
    });
  });

  it("predicts over v1 and v2 with the fixture's expected intents", async () => {
    const samples = (await readFile(join(repoRoot, "fixtures", "intent", "samples.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const texts = samples.map((s) => s.text);
    const v1 = json(
      await ok(
        "predict",
        "intent",
        "--target",
        "kserve",
        "--url",
        url,
        "--json",
        JSON.stringify({ instances: texts }),
        "-o",
        "json",
      ),
    );
    expect(v1.response.predictions).toEqual(samples.map((s) => s.intent));
    const v2 = json(
      await ok(
        "predict",
        "intent",
        "--target",
        "kserve",
        "--url",
        url,
        "--protocol",
        "v2",
        "-i",
        `TEXT=${JSON.stringify(texts)}`,
        "-o",
        "json",
      ),
    );
    expect(v2.response.INTENT).toEqual(samples.map((s) => s.intent));
    const one = json(
      await ok(
        "predict",
        "intent",
        "--target",
        "kserve",
        "--url",
        url,
        "--host",
        "intent.default.example.com",
        "--data",
        "turn on the lights",
        "-o",
        "json",
      ),
    );
    expect(one.response.predictions).toEqual(["turn_on_lights"]);
  });

  it("maps the server's errors: unknown model (exit 4), a wrong input caught before sending (exit 3), a server that is gone (exit 6)", async () => {
    expect((await run("predict", "ghost", "--target", "kserve", "--url", url, "--data", "x")).exitCode).toBe(
      4,
    );
    const wrong = await run(
      "predict",
      "intent",
      "--target",
      "kserve",
      "--url",
      url,
      "--protocol",
      "v2",
      "-i",
      "TXT=x",
    );
    expect(wrong.exitCode).toBe(3);
    expect(wrong.stderr).toMatch(/intent has no input "TXT"/);
    const [closed] = (await findFreePorts(1)) as number[];
    expect(
      (
        await run(
          "predict",
          "intent",
          "--target",
          "kserve",
          "--url",
          `http://127.0.0.1:${closed}`,
          "--data",
          "x",
        )
      ).exitCode,
    ).toBe(6);
  });
});
