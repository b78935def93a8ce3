import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePorts } from "../../src/runtime/ports.js";
import { type CliResult, cliIn, repoRoot, tempProject } from "../helpers/cli.js";
import { kserveMissing, type RunningKserve, startKserve } from "../helpers/kserve.js";
import { requireOrSkip } from "../helpers/python.js";

/**
 * mserve's KServe v1 and v2 calls against KServe's own Python model server
 * (kserve 0.21.0 from PyPI, in .venv-kserve) serving the intent fixture
 * through fixtures/intent/kserve_server.py: a real, separately maintained
 * implementation of both protocols.
 */
const missing = kserveMissing();
requireOrSkip(missing, "the KServe server tests");

const json = (result: CliResult) => JSON.parse(result.stdout);

describe.skipIf(Boolean(missing))("KServe v1/v2 against KServe's Python model server", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let url: string;
  const { run, ok } = cliIn(() => ({ cwd: dir }));

  let kserve: RunningKserve;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    kserve = await startKserve(["--versions", "1,2"]);
    url = kserve.url;
  }, 120_000);

  afterAll(async () => {
    kserve?.stop();
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

  it("addresses versions over v2 (each answers as itself), refuses them over v1, and logs every prediction", async () => {
    const ask = (ref: string, ...more: string[]) =>
      ok(
        "predict",
        ref,
        ...more,
        "--target",
        "kserve",
        "--url",
        url,
        "--protocol",
        "v2",
        "--data",
        "set a timer",
        "-o",
        "json",
      );
    const one = json(await ask("intent:1"));
    expect(one).toMatchObject({
      model: "intent",
      version: "1",
      target: "kserve",
      response: { INTENT: ["set_timer"] },
    });
    const two = json(await ask("intent", "2"));
    expect(two).toMatchObject({ version: "2", response: { INTENT: ["v2/set_timer"] } });
    const latest = json(await ask("intent"));
    expect(latest.response.INTENT).toEqual(["set_timer"]);
    const v1 = await run(
      "predict",
      "intent:1",
      "--target",
      "kserve",
      "--url",
      url,
      "--data",
      "hi",
      "-o",
      "json",
    );
    expect(v1.exitCode).toBe(2);
    expect(json(v1).error.message).toMatch(/v1 protocol cannot address a version/);
    const ghost = await run(
      "predict",
      "intent:3",
      "--target",
      "kserve",
      "--url",
      url,
      "--protocol",
      "v2",
      "--data",
      "hi",
    );
    expect(ghost.exitCode, ghost.stderr).toBe(4);
    const logged = json(await ok("logs", "predictions", "--model", "intent", "-o", "json")).predictions as {
      requestId: string;
      target: string;
      version?: string;
    }[];
    for (const answer of [one, two, latest]) {
      const line = logged.find((p) => p.requestId === answer.requestId);
      expect(line?.target).toBe("kserve");
      expect(line?.version).toBe(answer.version);
    }
  });

  it("benchmarks over v1 and v2: every measured request answered", async () => {
    for (const protocol of ["v1", "v2"]) {
      const doc = json(
        await ok(
          "bench",
          "intent",
          "--target",
          "kserve",
          "--url",
          url,
          "--protocol",
          protocol,
          "--data",
          "play some jazz",
          "-n",
          "20",
          "-c",
          "1,2",
          "--warmup",
          "0s",
          "-o",
          "json",
        ),
      );
      expect(doc.target).toBe("kserve");
      expect(doc.levels.map((l: { requests: number; ok: number }) => [l.requests, l.ok])).toEqual([
        [20, 20],
        [20, 20],
      ]);
    }
  });
});
