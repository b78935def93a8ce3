import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locateTriton } from "../../src/targets/triton/locate.js";
import { type CliResult, mserve, repoRoot, tempProject } from "../helpers/cli.js";
import { realToolsRequired } from "../helpers/python.js";

/**
 * The Triton path against a real tritonserver 2.51.0 (the binary nvidia-pytriton
 * ships, in .venv-triton): the intent fixture packaged for the Python backend,
 * deployed, and asked over the v2 protocol; broken models rejected the way
 * `mserve validate` predicts.
 */
const install = locateTriton({ ...process.env, PATH: "" }, repoRoot);
const missing = install
  ? undefined
  : "tritonserver (nvidia-pytriton in .venv-triton) not found: run `npm run setup:python`";
if (missing && realToolsRequired()) throw new Error(`MSERVE_REQUIRE_REAL_SERVERS=1 but ${missing}`);
if (missing) console.warn(`skipping the Triton tests: ${missing}`);

const json = (result: CliResult) => {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
};

const RAISING_MODEL = `import os
import sys

for entry in reversed(os.environ.get("PYTHONPATH", "").split(os.pathsep)):
    if entry and entry not in sys.path:
        sys.path.insert(0, entry)

import triton_python_backend_utils as pb_utils  # noqa: E402,F401


class TritonPythonModel:
    def initialize(self, args):
        raise RuntimeError("weights are corrupt")

    def execute(self, requests):
        return []
`;

describe.skipIf(Boolean(missing))("Triton (real tritonserver from nvidia-pytriton)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let repository: string;
  let http: string;
  let metrics: string;
  const env = { MSERVE_TRITONSERVER_BIN: install?.bin ?? "" };
  const run = (...args: string[]) => mserve(args, { cwd: dir, env });
  const ok = async (...args: string[]) => {
    const result = await run(...args);
    expect(result.exitCode, `mserve ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    await cp(join(repoRoot, "fixtures", "intent"), join(dir, "intent"), { recursive: true });
    // The fixture's handler path is relative to the repo; the Triton package does not use it.
    const served = json(
      await ok("serve", "--target", "triton", "--name", "tri", "--ports", "auto", "-o", "json"),
    );
    repository = served.modelStore;
    http = served.urls.http;
    metrics = served.urls.metrics;
  }, 180_000);

  afterAll(async () => {
    if (dir) {
      await run("stop", "--all");
      await cleanup();
    }
  });

  it("packages the intent fixture for the Python backend, deploys it, and answers v2 infer with the expected intents", async () => {
    const packaged = json(
      await ok(
        "package",
        "--target",
        "triton",
        "--config",
        "intent/mserve.yaml",
        "--repository",
        "repo",
        "-o",
        "json",
      ),
    );
    expect(packaged).toMatchObject({
      model: "intent",
      version: "1",
      status: "created",
      configStatus: "created",
    });
    await ok("validate", "repo");
    const deployed = json(await ok("deploy", "repo/intent", "--smoke", "turn on the lights", "-o", "json"));
    expect(deployed).toMatchObject({
      name: "intent",
      versions: ["1"],
      state: "READY",
      smoke: { INTENT: ["turn_on_lights"] },
    });
    const samples = (await readFile(join(dir, "intent", "samples.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const intents: string[] = [];
    for (let i = 0; i < samples.length; i += 6) {
      const texts = samples.slice(i, i + 6).map((s) => s.text);
      const answer = json(await ok("predict", "intent", "-i", `TEXT=${JSON.stringify(texts)}`, "-o", "json"));
      expect(answer.version).toBe("1");
      intents.push(...answer.response.INTENT);
    }
    expect(intents).toEqual(samples.map((s) => s.intent));
    // More rows than max_batch_size: refused before sending.
    const tooMany = await run(
      "predict",
      "intent",
      "-i",
      `TEXT=${JSON.stringify(samples.map((s) => s.text))}`,
    );
    expect(tooMany.exitCode).toBe(3);
    expect(tooMany.stderr).toMatch(/18 rows in one request, but intent takes at most 8/);
    const one = json(
      await ok("predict", "intent", "--version", "1", "--data", "set a timer for ten minutes", "-o", "json"),
    );
    expect(one.response.INTENT).toEqual(["set_timer"]);
    const models = json(await ok("models", "-o", "json")).models;
    expect(models).toContainEqual(expect.objectContaining({ name: "intent", version: "1", state: "READY" }));
  }, 240_000);

  it("bench counts exactly the inference requests Triton's own metrics count", async () => {
    /** nv_inference_request_success for the model: Triton's counter of answered inference requests. */
    const served = async () => {
      const text = await (await fetch(`${metrics}/metrics`)).text();
      const line = text
        .split("\n")
        .find((l) => l.startsWith("nv_inference_request_success{") && l.includes('model="intent"'));
      return Number(line?.split(" ").pop() ?? 0);
    };
    const before = await served();
    const doc = json(
      await ok(
        "bench",
        "intent",
        "--target",
        "triton",
        "--data",
        "play some jazz",
        "-n",
        "40",
        "-c",
        "1,2",
        "--warmup",
        "0s",
        "-o",
        "json",
      ),
    );
    expect(doc).toMatchObject({ model: "intent", target: "triton", interrupted: false });
    const requests = doc.levels.reduce((n: number, l: { requests: number; ok: number }) => n + l.requests, 0);
    expect(doc.levels.map((l: { ok: number }) => l.ok)).toEqual([40, 40]);
    expect((await served()) - before).toBe(requests);
    // An unknown model fails before any load is sent.
    const unknown = await run("bench", "ghost", "--target", "triton", "--data", "x", "-n", "5");
    expect(unknown.exitCode).toBe(4);
  });

  it("catches wrong tensor names, datatypes and shapes before sending (exit 3)", async () => {
    for (const [args, message] of [
      [["-i", "TXT=hi"], /intent has no input "TXT"[\s\S]*TEXT \(BYTES/],
      [["-i", "TEXT=3"], /input "TEXT" is BYTES, but some values are not strings/],
      [["-i", 'TEXT=[[["a"]]]'], /input "TEXT" has shape \[1,1,1\], but intent expects \[-1,1\]/],
    ] as const) {
      const result = await run("predict", "intent", ...args);
      expect(result.exitCode, result.stderr).toBe(3);
      expect(result.stderr).toMatch(message);
    }
  });

  it("rejects a broken config the way mserve validate predicted", async () => {
    await mkdir(join(repository, "typo", "1"), { recursive: true });
    await writeFile(join(repository, "typo", "1", "model.py"), "");
    await writeFile(
      join(repository, "typo", "config.pbtxt"),
      'backend: "python"\nmax_batch_size: 8\ninputs [ ]\n',
    );
    const predicted = await run("validate", join(repository, "typo"), "-o", "json");
    expect(predicted.exitCode).toBe(3);
    const diagnostic = json(predicted).error.details.diagnostics[0];
    expect(diagnostic).toMatchObject({ rule: "config-syntax", line: 3 });
    // The server itself, asked directly, refuses the same file; its log names the same field.
    const load = await fetch(`${http}/v2/repository/models/typo/load`, { method: "POST", body: "{}" });
    expect(load.status).not.toBe(200);
    const log = await readFile(join(dir, ".mserve-home", "servers", "tri", "logs", "triton.log"), "utf8");
    expect(log).toMatch(/3:\d+: Message type "inference.ModelConfig" has no field named "inputs"/);
    expect(diagnostic.message).toMatch(/has no field named "inputs"/);
    // mserve deploy stops before the server sees it.
    const deploy = await run("deploy", join(repository, "typo"));
    expect(deploy.exitCode).toBe(3);
  });

  it("surfaces the real reason when a model fails to load (exit 7)", async () => {
    await mkdir(join(dir, "broken", "1"), { recursive: true });
    await writeFile(join(dir, "broken", "1", "model.py"), RAISING_MODEL);
    await writeFile(
      join(dir, "broken", "config.pbtxt"),
      'backend: "python"\nmax_batch_size: 0\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n',
    );
    const result = await run("deploy", "broken", "-o", "json");
    expect(result.exitCode).toBe(7);
    const error = json(result).error;
    expect(error.message).toMatch(/Triton could not load broken: .*weights are corrupt/);
    const index = json(await ok("models", "broken", "-o", "json")).models;
    expect(index).toContainEqual(expect.objectContaining({ name: "broken", state: "UNAVAILABLE" }));
  }, 120_000);

  it("unloads a model and then answers 4 for it", async () => {
    await ok("unregister", "intent", "--yes");
    const gone = await run("predict", "intent", "--data", "hi");
    expect(gone.exitCode).toBe(4);
  });
});
