import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locateTriton } from "../../src/targets/triton/locate.js";
import { cliIn, json, repoRoot, stopAllAndCleanup, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";

/**
 * Releases on a real tritonserver: two Triton versions of one model that answer
 * differently, registered by `package --register`; `predict NAME PROD` places
 * the released version from the registry and answers from it, following
 * release and rollback.
 */
const install = locateTriton({ ...process.env, PATH: "" }, repoRoot);
const missing = install
  ? undefined
  : "tritonserver (nvidia-pytriton in .venv-triton) not found: run `npm run setup:python`";
requireOrSkip(missing, "the Triton release tests");

describe.skipIf(Boolean(missing))("releases on a real tritonserver", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let repository: string;
  const env = { MSERVE_TRITONSERVER_BIN: install?.bin ?? "" };
  const { run, ok } = cliIn(() => ({ cwd: dir, env }));
  const predict = async (ref: string) =>
    json(await ok("predict", "adder", ref, "--target", "triton", "--data", "[[1,2,3,4]]", "-o", "json"));
  const scaled = async (scale: string) => {
    const model = join(dir, "adder", "model.py");
    await writeFile(
      model,
      (await readFile(model, "utf8")).replace(/self\.scale = [0-9.]+/, `self.scale = ${scale}`),
    );
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    await ok("init", "--target", "triton", "--template", "python", "adder");
    const served = json(
      await ok("serve", "--target", "triton", "--name", "tri", "--ports", "auto", "-o", "json"),
    );
    repository = served.modelStore;
  }, 180_000);

  afterAll(() => stopAllAndCleanup(dir, run, cleanup));

  it("registers two versions with package --register, as Triton model versions", async () => {
    for (const [version, scale] of [
      ["1", "1.0"],
      ["2", "2.0"],
    ] as const) {
      await scaled(scale);
      const packaged = json(
        await ok("package", "--config", "adder/mserve.yaml", "-v", version, "--register", "-o", "json"),
      );
      expect(packaged.registry).toMatchObject({
        status: "created",
        name: "adder",
        version,
        kind: "triton-version",
        target: "triton",
      });
      expect(packaged.registry.id).toMatch(/^[0-9a-z]{10}$/);
    }
    const listed = await ok("registry", "list", "adder");
    expect(listed.stdout).toMatch(/KIND/);
    expect(listed.stdout.match(/triton-version/g)).toHaveLength(2);
    // Nothing is on the server yet: the registry is where the versions live.
    expect(await readdir(repository)).not.toContain("adder");
  }, 120_000);

  it("predict adder PROD places the released version from the registry and follows release and rollback", async () => {
    await ok("release", "adder", "1", "--as", "PROD");
    const one = await predict("PROD");
    expect(one).toMatchObject({ model: "adder", version: "1", alias: "PROD" });
    expect(one.response.OUTPUT0).toEqual([1, 2, 3, 4]);
    expect(await readdir(join(repository, "adder"))).toEqual(
      expect.arrayContaining(["config.pbtxt", "1", ".mserve-1.json"]),
    );

    await ok("release", "adder", "2", "--as", "prod");
    const two = await predict("PROD");
    expect(two).toMatchObject({ version: "2", alias: "PROD" });
    expect(two.response.OUTPUT0).toEqual([2, 4, 6, 8]);

    await ok("rollback", "adder", "--alias", "PROD");
    const back = await predict("PROD");
    expect(back).toMatchObject({ version: "1" });
    expect(back.response.OUTPUT0).toEqual([1, 2, 3, 4]);
    const ready = json(await ok("models", "adder", "--target", "triton", "-o", "json")).models.filter(
      (m: { state: string }) => m.state === "READY",
    );
    expect(ready.map((m: { version: string }) => m.version).sort()).toEqual(["1", "2"]);
  }, 240_000);

  it("refuses a version folder changed behind mserve's back (exit 5), until deploy --replace", async () => {
    await rm(join(repository, "adder", ".mserve-1.json"));
    const placed = join(repository, "adder", "1", "model.py");
    await writeFile(placed, `${await readFile(placed, "utf8")}\n# edited on the server\n`);
    const refused = await run("predict", "adder", "PROD", "--data", "[[1,2,3,4]]", "-o", "json");
    expect(refused.exitCode, refused.stdout).toBe(5);
    const error = json(refused).error;
    const expected = json(await ok("registry", "show", "adder@PROD", "-o", "json")).artifact.digest;
    expect(error.message).toContain(expected);
    expect(error.details.held).toMatch(/^[0-9a-f]{64}$/);
    expect(error.details.held).not.toBe(expected);
    expect(error.hint).toContain("mserve deploy adder@PROD --replace");

    await ok("deploy", "adder@PROD", "--replace");
    expect(await readFile(placed, "utf8")).not.toContain("edited on the server");
    expect((await predict("PROD")).response.OUTPUT0).toEqual([1, 2, 3, 4]);
  }, 240_000);
});
