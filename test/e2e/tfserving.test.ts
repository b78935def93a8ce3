import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, cliIn, mserve, repoRoot, tempProject } from "../helpers/cli.js";

/**
 * serve / deploy / models / predict for TF Serving against test/fixtures/fake-tfserving:
 * a stand-in tensorflow_model_server (no TF Serving binary runs here) that takes
 * the real flags, polls models.config and answers the documented REST API and errors.
 */
const fakeDir = join(repoRoot, "test", "fixtures", "fake-tfserving");
const linear = join(repoRoot, "fixtures", "tfserving", "linear");
const json = (result: CliResult) => JSON.parse(result.stdout);

describe("TF Serving through a documented-API stand-in", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const env = { PATH: `${fakeDir}:${process.env.PATH ?? ""}` };
  const { run, ok } = cliIn(() => ({ cwd: dir, env }));

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    await ok("serve", "--target", "tfserving", "--ports", "auto", "--config-poll", "1", "-o", "json");
  });
  afterAll(async () => {
    await run("stop", "--all");
    await cleanup();
  });

  it("deploys versions, waits until AVAILABLE, and predicts by latest, version and label", async () => {
    const first = json(
      await ok("deploy", linear, "--model-name", "linear", "--model-version", "1", "-o", "json"),
    );
    expect(first).toMatchObject({ model: "linear", version: "1", state: "AVAILABLE", served: [1] });
    await ok(
      "deploy",
      linear,
      "--model-name",
      "linear",
      "--model-version",
      "2",
      "--version-policy",
      "all",
      "--label",
      "stable=1",
    );
    const models = json(await ok("models", "-o", "json")).models;
    expect(models.map((m: { version: string; state: string }) => `${m.version} ${m.state}`)).toEqual([
      "2 AVAILABLE",
      "1 AVAILABLE",
    ]);
    // The same envelope as every target: the server's answer is `response`.
    expect(json(await ok("predict", "linear", "--data", "[[1, 2, 3]]", "-o", "json"))).toMatchObject({
      model: "linear",
      target: "tfserving",
      response: { predictions: [[11.5]] },
    });
    expect(
      json(await ok("predict", "linear@stable", "--json", '{"instances": [[1, 1, 1]]}', "-o", "json")),
    ).toMatchObject({ alias: "stable", response: { predictions: [[6.5]] } });
    expect(
      json(await ok("predict", "linear:1", "--json", '{"inputs": [[0, 0, 0]]}', "-o", "json")),
    ).toMatchObject({
      version: "1",
      response: { outputs: [[3]] },
    });
    // TF Serving predictions are in the prediction log like every other target's.
    const logged = json(await ok("logs", "predictions", "--model", "linear", "-o", "json")).predictions;
    expect(logged.map((p: { target: string }) => p.target)).toEqual(["tfserving", "tfserving", "tfserving"]);
  });

  it("moves a version label with release --target tfserving, and only to a served version", async () => {
    const base = json(await ok("ps", "-o", "json")).servers[0].modelStore;
    const moved = json(
      await ok(
        "release",
        "linear",
        "2",
        "--as",
        "stable",
        "--target",
        "tfserving",
        "--base",
        base,
        "-o",
        "json",
      ),
    );
    expect(moved).toMatchObject({ name: "linear", label: "stable", version: 2, previous: 1 });
    expect(await readFile(join(base, "models.config"), "utf8")).toMatch(/key: "stable"\s+value: 2/);
    const missing = await run(
      "release",
      "linear",
      "9",
      "--as",
      "stable",
      "--target",
      "tfserving",
      "--base",
      base,
    );
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/points at version 9, which is not served/);
    expect(
      (await run("release", "ghost", "1", "--as", "stable", "--target", "tfserving", "--base", base))
        .exitCode,
    ).toBe(4);
    await ok("release", "linear", "1", "--as", "stable", "--target", "tfserving", "--base", base);
  });

  it("inspects and validates a SavedModel and a TF Serving base folder without a server", async () => {
    const base = join(dir, "base", "linear");
    await mkdir(join(base, "3"), { recursive: true });
    await cp(linear, join(base, "3"), { recursive: true });
    const saved = json(await ok("inspect", linear, "-o", "json"));
    expect(saved).toMatchObject({
      kind: "saved-model",
      versions: [{ variables: { index: true, shards: 1 } }],
    });
    const signature = saved.versions[0].metaGraphs[0].signatures.find(
      (s: { key: string }) => s.key === "serving_default",
    );
    expect(signature.inputs.x).toMatchObject({ dtype: "DT_FLOAT", shape: [-1, 3] });
    const text = await ok("inspect", "base/linear");
    expect(text.stdout).toMatch(/base\/linear {2}tfserving base {2}serves version 3/);
    expect(text.stdout).toMatch(/3 +serving_default +input +x +DT_FLOAT +\[-1,3\]/);
    expect((await ok("validate", "base/linear")).stdout).toMatch(/valid/);
    // A version folder without its graph is what TF Serving would fail to load.
    await mkdir(join(base, "4", "variables"), { recursive: true });
    const broken = await run("validate", "base/linear");
    expect(broken.exitCode).toBe(3);
    expect(broken.stdout).toMatch(/linear\/4: .* is not a SavedModel: saved_model\.pb is missing/);
  });

  it("maps TF Serving's error bodies to exit codes", async () => {
    const label = await run("predict", "linear@canary", "--data", "[[1,2,3]]");
    expect(label.exitCode).toBe(4);
    expect(label.stderr).toMatch(/Unrecognized servable version label: canary/);
    const shape = await run("predict", "linear", "--data", "[[1,2]]");
    expect(shape.exitCode).toBe(7);
    expect(shape.stderr).toMatch(/Matrix size-incompatible/);
    const unknown = await run("predict", "ghost", "--data", "[[1,2,3]]");
    expect(unknown.exitCode).toBe(4);
    const notJson = await run("predict", "linear", "--data", "1,2,3");
    expect(notJson.exitCode).toBe(3);
    const refused = await run(
      "deploy",
      linear,
      "--model-name",
      "linear",
      "--model-version",
      "3",
      "--version-policy",
      "latest:1",
    );
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/label "stable" of "linear" points at version 1, which is not served/);
  });

  it("prints the docker run line with the base folder mounted at the same path", async () => {
    const plan = json(
      await run(
        "serve",
        "--target",
        "tfserving",
        "--runtime",
        "docker",
        "--name",
        "tfd",
        "--base",
        "models",
        "--ports",
        "9501,9500",
        "--dry-run",
        "-o",
        "json",
      ),
    );
    const base = join(dir, "models");
    expect(plan.command).toEqual(
      expect.arrayContaining([
        "docker",
        "run",
        "-p",
        "127.0.0.1:9501:8501",
        "-v",
        `${base}:${base}`,
        "tensorflow/serving",
        `--model_config_file=${base}/models.config`,
        "--model_config_file_poll_wait_seconds=5",
      ]),
    );
  });
});

describe("a TF Serving that dies during start-up", () => {
  it("is reported with its log (exit 7) and leaves no record behind", async () => {
    const { dir, cleanup } = await tempProject();
    try {
      const bin = join(dir, "bin");
      await mkdir(bin);
      await writeFile(
        join(bin, "tensorflow_model_server"),
        '#!/bin/sh\necho "Invalid argument: boom" >&2\nexit 1\n',
        { mode: 0o755 },
      );
      const env = { PATH: `${bin}:${process.env.PATH ?? ""}` };
      const result = await mserve(["serve", "--target", "tfserving", "--ports", "auto"], { cwd: dir, env });
      expect(result.exitCode).toBe(7);
      expect(result.stderr).toMatch(/TF Serving exited during start-up/);
      expect(json(await mserve(["ps", "-o", "json"], { cwd: dir, env })).servers).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});
