import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliIn, json, repoRoot, tempProject } from "../helpers/cli.js";

/**
 * Releases on TF Serving's stand-in (test/fixtures/fake-tfserving: it polls
 * models.config and serves the version folders it finds, so placement is what
 * is checked): predict NAME PROD places the released SavedModel version from the
 * registry, and `release --target tfserving` moves the registry alias and the
 * models.config label together or not at all.
 */
const fakeDir = join(repoRoot, "test", "fixtures", "fake-tfserving");
const linear = join(repoRoot, "fixtures", "tfserving", "linear");

describe("releases on TF Serving's stand-in", () => {
  let dir: string;
  let base: string;
  let cleanup: () => Promise<void>;
  const env = { PATH: `${fakeDir}:${process.env.PATH ?? ""}` };
  const { run, ok } = cliIn(() => ({ cwd: dir, env }));
  const predict = async () =>
    json(await ok("predict", "wide", "PROD", "--target", "tfserving", "--data", "[[1, 2, 3]]", "-o", "json"));
  const modelsConfig = () => readFile(join(base, "models.config"), "utf8");

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    // Version 2: the same graph with one more asset, so its content (and digest) differs.
    await cp(linear, join(dir, "lin2"), { recursive: true });
    await mkdir(join(dir, "lin2", "assets.extra"), { recursive: true });
    await writeFile(join(dir, "lin2", "assets.extra", "note.txt"), "version 2");
    const served = json(
      await ok("serve", "--target", "tfserving", "--ports", "auto", "--config-poll", "1", "-o", "json"),
    );
    base = served.modelStore;
  });
  afterAll(async () => {
    await run("stop", "--all");
    await cleanup();
  });

  it("pushes SavedModel folders as tf-savedmodel versions", async () => {
    for (const [folder, version] of [
      [linear, "1"],
      ["lin2", "2"],
    ] as const) {
      const pushed = json(
        await ok("registry", "push", folder, "--name", "wide", "--version", version, "-o", "json"),
      );
      expect(pushed).toMatchObject({ kind: "tf-savedmodel", target: "tfserving", format: "tgz", version });
    }
    const shown = await ok("registry", "show", "wide:2");
    expect(shown.stdout).toMatch(/kind\s+tf-savedmodel/);
  });

  it("places PROD's version from the registry, follows release and rollback, and keeps both served", async () => {
    await ok("release", "wide", "1", "--as", "PROD");
    const one = await predict();
    expect(one).toMatchObject({
      model: "wide",
      version: "1",
      alias: "PROD",
      response: { predictions: [[11.5]] },
    });
    const marker = JSON.parse(await readFile(join(base, "wide", ".mserve-1.json"), "utf8"));
    expect(marker.digest).toBe(json(await ok("registry", "show", "wide:1", "-o", "json")).artifact.digest);
    expect(await modelsConfig()).toMatch(/name: "wide"/);

    await ok("release", "wide", "2", "--as", "prod");
    expect(await predict()).toMatchObject({ version: "2", alias: "PROD" });
    await ok("rollback", "wide", "--alias", "PROD");
    expect(await predict()).toMatchObject({ version: "1" });
    // latest:1 would have left version 1 out once 2 was placed: the policy now names both.
    expect(await modelsConfig()).toMatch(/specific/);
  });

  it("refuses a version folder whose files changed behind mserve's back (exit 5)", async () => {
    await rm(join(base, "wide", ".mserve-1.json"));
    await writeFile(join(base, "wide", "1", "fingerprint.pb"), "not the released bytes");
    const refused = await run("predict", "wide", "PROD", "--data", "[[1, 2, 3]]", "-o", "json");
    expect(refused.exitCode).toBe(5);
    expect(json(refused).error.hint).toContain("mserve deploy wide@PROD --replace");
    await ok("deploy", "wide@PROD", "--replace");
    expect(await predict()).toMatchObject({ version: "1" });
  });

  it("moves the registry alias and the models.config label together, and neither when one step fails", async () => {
    const moved = json(
      await ok(
        "release",
        "wide",
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
    expect(moved).toMatchObject({
      changed: true,
      alias: "stable",
      version: "2",
      label: { label: "stable", version: 2 },
    });
    expect(await modelsConfig()).toMatch(/key: "stable"\s*value: 2/);

    // The label cannot move to a version TF Serving does not serve: the registry is not touched.
    const unserved = await run(
      "release",
      "wide",
      "7",
      "--as",
      "stable",
      "--target",
      "tfserving",
      "--base",
      base,
    );
    expect(unserved.exitCode).toBe(3);
    expect(json(await ok("registry", "show", "wide@stable", "-o", "json")).version).toBe("2");

    // Version 3 is served but not in the registry: the label moves, the registry refuses, the label goes back.
    await ok("deploy", linear, "--model-name", "wide", "--model-version", "3", "--version-policy", "all");
    const before = await modelsConfig();
    const missing = await run(
      "release",
      "wide",
      "3",
      "--as",
      "stable",
      "--target",
      "tfserving",
      "--base",
      base,
    );
    expect(missing.exitCode, missing.stderr).toBe(4);
    expect(await modelsConfig()).toBe(before);
    expect(json(await ok("registry", "show", "wide@stable", "-o", "json")).version).toBe("2");
  });
});
