import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliIn, json, mserve, repoRoot, stopAllAndCleanup, tempProject } from "../helpers/cli.js";
import { type FixtureAnswers, fixtureAnswers, mlserverBin, mlserverMissing } from "../helpers/mlserver.js";
import { requireOrSkip } from "../helpers/python.js";

/**
 * The MLServer target against a real MLServer 1.7.1 (.venv-mlserver): the
 * scikit-learn pipeline and the XGBoost regressor of fixtures/mlserver go
 * through package → validate → serve → deploy → predict, and their answers are
 * the ones the same files give when Python loads them; two versions are
 * addressed by version and by alias; bench is counted against MLServer's own
 * metrics; a custom MLModel from `mserve init` loads and answers as it is.
 */
const missing = mlserverMissing();
requireOrSkip(missing, "the MLServer tests");

const RAISING_MODEL = `from mlserver import MLModel


class Broken(MLModel):
    async def load(self) -> bool:
        raise RuntimeError("weights are corrupt")

    async def predict(self, payload):
        raise NotImplementedError
`;

describe.skipIf(Boolean(missing))("MLServer (real mlserver 1.7.1 from .venv-mlserver)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let http: string;
  let metrics: string;
  let answers: FixtureAnswers;
  const env = { MSERVE_MLSERVER_BIN: mlserverBin };
  const { run, ok } = cliIn(() => ({ cwd: dir, env }));
  const rows = () => JSON.stringify(answers.features);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    await cp(join(repoRoot, "fixtures", "mlserver"), join(dir, "fx"), { recursive: true });
    // MLServer's default: one inference worker process per server.
    const [served, computed] = await Promise.all([
      ok("serve", "--target", "mlserver", "--name", "mls", "--ports", "auto", "-o", "json").then(json),
      fixtureAnswers(join(dir, "fx")),
    ]);
    http = served.urls.http;
    metrics = served.urls.metrics;
    answers = computed;
  }, 120_000);

  afterAll(() => stopAllAndCleanup(dir, run, cleanup));

  it("packages, validates, deploys and serves the scikit-learn and XGBoost fixtures with the models' own answers", async () => {
    // The committed samples agree with what Python computes from the committed files.
    const samples = (await readFile(join(dir, "fx", "samples.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(samples.map((s) => s.iris_v1)).toEqual(answers.iris_v1);
    const packaged = json(
      await ok(
        "package",
        "--target",
        "mlserver",
        "--model-name",
        "iris",
        "-v",
        "1",
        "--serialized-file",
        "fx/iris/model.joblib",
        "-o",
        "json",
      ),
    );
    expect(packaged).toMatchObject({
      model: "iris",
      version: "1",
      status: "created",
      settings: {
        implementation: "mlserver_sklearn.SKLearnModel",
        parameters: { uri: "./model.joblib", version: "1" },
      },
    });
    await ok(
      "package",
      "--target",
      "mlserver",
      "--model-name",
      "iris",
      "-v",
      "2",
      "--serialized-file",
      "fx/iris/model-v2.joblib",
      "--implementation",
      "sklearn",
    );
    await ok(
      "package",
      "--target",
      "mlserver",
      "--model-name",
      "petal",
      "-v",
      "1",
      "--serialized-file",
      "fx/petal/model.json",
    );
    const validated = json(await ok("validate", "model_repository", "-o", "json"));
    expect(validated).toMatchObject({ kind: "repository", valid: true });
    expect(
      validated.models.map((m: { name: string; version: string }) => `${m.name}:${m.version}`).sort(),
    ).toEqual(["iris:1", "iris:2", "petal:1"]);
    expect(validated.runtimes).toContain(mlserverBin);

    const deployed = json(await ok("deploy", "model_repository/iris/1", "-o", "json"));
    expect(deployed).toMatchObject({ name: "iris", versions: ["1"], state: "READY" });
    await ok("deploy", "model_repository/iris/2");
    await ok("deploy", "model_repository/petal");
    // Deploying the same version again changes nothing.
    expect(json(await ok("deploy", "model_repository/iris/1", "-o", "json")).placed).toEqual([
      { version: "1", status: "unchanged" },
    ]);

    const v1 = json(await ok("predict", "iris:1", "--data", rows(), "-o", "json"));
    expect(v1).toMatchObject({ target: "mlserver", version: "1" });
    expect(v1.response.predict).toEqual(answers.iris_v1);
    const v2 = json(await ok("predict", "iris", "2", "--data", rows(), "-o", "json"));
    expect(v2.response.predict).toEqual(answers.iris_v2);
    expect(v1.response.predict).not.toEqual(v2.response.predict);
    // A bare name is MLServer's default: the highest version loaded.
    expect(json(await ok("predict", "iris", "--data", rows(), "-o", "json")).version).toBe("2");
    // One row as a flat list is one request row.
    const one = json(
      await ok("predict", "iris:1", "--data", JSON.stringify(answers.features[2]), "-o", "json"),
    );
    expect(one.response.predict).toEqual([answers.iris_v1[2]]);
    const petal = json(
      await ok(
        "predict",
        "petal:1",
        "--data",
        JSON.stringify(answers.features.map((f) => f.slice(0, 3))),
        "-o",
        "json",
      ),
    );
    petal.response.predict.forEach((v: number, i: number) => {
      expect(v).toBeCloseTo(answers.petal_width[i] as number, 5);
    });
    const models = json(await ok("models", "-o", "json")).models;
    expect(models).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "iris", version: "1", state: "READY" }),
        expect.objectContaining({ name: "iris", version: "2", state: "READY" }),
        expect.objectContaining({ name: "petal", version: "1", state: "READY" }),
      ]),
    );
  }, 180_000);

  it("answers by alias: release moves PROD and predict follows it", async () => {
    // --register: the version folder, zipped, goes into the registry (the same folder twice: the same bytes).
    for (const [version, file] of [
      ["1", "fx/iris/model.joblib"],
      ["2", "fx/iris/model-v2.joblib"],
    ] as const) {
      const args = [
        "package",
        "--target",
        "mlserver",
        "--model-name",
        "iris",
        "-v",
        version,
        "--serialized-file",
        file,
      ];
      const pushed = json(
        await ok(
          ...args,
          "--implementation",
          "sklearn",
          "--force",
          "--register",
          "--export-path",
          "dist",
          "-o",
          "json",
        ),
      );
      expect(pushed).toMatchObject({
        artifact: join(dir, "dist", `iris-${version}.zip`),
        registry: { name: "iris", version, kind: "mlserver-version", target: "mlserver" },
      });
    }
    await ok("release", "iris", "1", "--as", "PROD", "--target", "mlserver");
    const prod1 = json(
      await ok("predict", "iris", "PROD", "--target", "mlserver", "--data", rows(), "-o", "json"),
    );
    expect(prod1).toMatchObject({ version: "1", alias: "PROD" });
    expect(prod1.response.predict).toEqual(answers.iris_v1);
    await ok("release", "iris", "2", "--as", "PROD", "--target", "mlserver");
    const prod2 = json(
      await ok("predict", "iris@PROD", "--target", "mlserver", "--data", rows(), "-o", "json"),
    );
    expect(prod2).toMatchObject({ version: "2" });
    expect(prod2.response.predict).toEqual(answers.iris_v2);
    // Rollback: MLServer keeps every version of the folder loaded, so PROD answers from 1 again at once.
    await ok("rollback", "iris", "--alias", "prod");
    const back = json(await ok("predict", "iris", "PROD", "--data", rows(), "-o", "json"));
    expect(back).toMatchObject({ version: "1", alias: "PROD", target: "mlserver" });
    expect(back.response.predict).toEqual(answers.iris_v1);
  }, 60_000);

  it("bench counts exactly the inferences MLServer's own metrics count", async () => {
    /** model_infer_request_success_total for iris version 1: MLServer's counter of answered inferences. */
    const served = async () => {
      const text = await (await fetch(`${metrics}/metrics`)).text();
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("model_infer_request_success_total{") &&
            l.includes('model="iris"') &&
            l.includes('version="1"'),
        );
      return Number(line?.split(" ").pop() ?? 0);
    };
    const before = await served();
    const doc = json(
      await ok(
        "bench",
        "iris",
        "1",
        "--data",
        JSON.stringify(answers.features[0]),
        "-n",
        "30",
        "-c",
        "1,2",
        "--warmup",
        "0s",
        "-o",
        "json",
      ),
    );
    expect(doc).toMatchObject({ model: "iris", target: "mlserver", interrupted: false });
    expect(doc.levels.map((l: { ok: number }) => l.ok)).toEqual([30, 30]);
    const requests = doc.levels.reduce((n: number, l: { requests: number }) => n + l.requests, 0);
    expect((await served()) - before).toBe(requests);
  }, 60_000);

  it("predict puts a registry version the server lacks on it first; deploy NAME@ALIAS takes it from the registry", async () => {
    await ok(
      "package",
      "--target",
      "mlserver",
      "--model-name",
      "petal",
      "-v",
      "2",
      "--serialized-file",
      "fx/petal/model.json",
      "--register",
      "--export-path",
      "dist",
    );
    await ok("release", "petal", "2", "--as", "STG");
    const lacking = await run(
      "predict",
      "petal",
      "STG",
      "--target",
      "mlserver",
      "--no-auto-register",
      "--data",
      "[1, 2, 3]",
    );
    expect(lacking.exitCode).toBe(4);
    const answer = json(
      await ok(
        "predict",
        "petal",
        "STG",
        "--target",
        "mlserver",
        "--data",
        JSON.stringify(answers.features.map((f) => f.slice(0, 3))),
        "-o",
        "json",
      ),
    );
    expect(answer).toMatchObject({ version: "2", alias: "STG" });
    answer.response.predict.forEach((v: number, i: number) => {
      expect(v).toBeCloseTo(answers.petal_width[i] as number, 5);
    });
    const again = json(await ok("deploy", "petal@STG", "--target", "mlserver", "-o", "json"));
    expect(again).toMatchObject({
      name: "petal",
      versions: ["2"],
      placed: [{ version: "2", status: "unchanged" }],
    });
  }, 60_000);

  it("init --target mlserver writes a custom MLModel that loads and answers as it is", async () => {
    const init = json(
      await ok("init", "--target", "mlserver", "--template", "custom", "scorer", "-o", "json"),
    );
    expect(init).toMatchObject({ target: "mlserver", template: "custom", name: "scorer" });
    const project = join(dir, "scorer");
    const local = (...args: string[]) =>
      mserve(args, { cwd: project, env: { ...env, MSERVE_HOME: join(dir, ".mserve-home") } });
    expect((await local("package")).exitCode).toBe(0);
    const settings = JSON.parse(
      await readFile(join(project, "model_repository", "scorer", "1", "model-settings.json"), "utf8"),
    );
    expect(settings.implementation).toBe("model.Model");
    const deployed = await local("deploy", "model_repository/scorer/1");
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const answer = await local("predict", "scorer:1", "--data", "[[1, 2, 3], [4, 5, 6]]", "-o", "json");
    expect(answer.exitCode, answer.stderr).toBe(0);
    expect(JSON.parse(answer.stdout).response).toEqual({ "output-0": [6, 15] });
  }, 90_000);

  it("validate refuses what MLServer would refuse, before the server sees it (exit 3)", async () => {
    // No implementation: MLServer cannot read the settings and skips the model.
    await mkdir(join(dir, "noimpl", "1"), { recursive: true });
    await writeFile(
      join(dir, "noimpl", "1", "model-settings.json"),
      '{\n  "name": "noimpl",\n  "parameters": {"version": "1"}\n}\n',
    );
    const invalid = await run("validate", "noimpl", "-o", "json");
    expect(invalid.exitCode).toBe(3);
    expect(json(invalid).error.details.diagnostics).toContainEqual(
      expect.objectContaining({ rule: "settings-schema", message: '"implementation" is required' }),
    );
    // A runtime this server lacks (no mlserver-lightgbm in .venv-mlserver).
    await mkdir(join(dir, "lgb", "1"), { recursive: true });
    await writeFile(join(dir, "lgb", "1", "model.txt"), "tree\n");
    await writeFile(
      join(dir, "lgb", "1", "model-settings.json"),
      JSON.stringify({
        name: "lgb",
        implementation: "mlserver_lightgbm.LightGBMModel",
        parameters: { uri: "./model.txt", version: "1" },
      }),
    );
    const lacking = await run("validate", "lgb", "--server", "mls", "-o", "json");
    expect(lacking.exitCode).toBe(3);
    expect(json(lacking).error.details.diagnostics).toContainEqual(
      expect.objectContaining({ rule: "runtime-missing" }),
    );
    const deploy = await run("deploy", "lgb/1");
    expect(deploy.exitCode).toBe(3);
    expect(deploy.stderr).toMatch(/mlserver_lightgbm is not installed/);
    // The server itself, asked directly, does not load either.
    for (const name of ["noimpl", "lgb"]) {
      const target = join(dir, ".mserve-home", "servers", "mls", "model-repository", name);
      await cp(join(dir, name), target, { recursive: true });
      const load = await fetch(`${http}/v2/repository/models/${name}/load`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(load.status, name).not.toBe(200);
    }
  }, 60_000);

  it("surfaces the exception a model raises while loading (exit 7)", async () => {
    await mkdir(join(dir, "broken", "1"), { recursive: true });
    await writeFile(join(dir, "broken", "1", "model.py"), RAISING_MODEL);
    await writeFile(
      join(dir, "broken", "1", "model-settings.json"),
      JSON.stringify({ name: "broken", implementation: "model.Broken", parameters: { version: "1" } }),
    );
    await ok("validate", "broken");
    const result = await run("deploy", "broken/1", "-o", "json");
    expect(result.exitCode).toBe(7);
    expect(json(result).error.message).toMatch(/MLServer could not load broken: .*weights are corrupt/);
  }, 60_000);

  it("unregisters one version and keeps the other answering", async () => {
    await ok("unregister", "iris:1", "--yes");
    // iris:1 is in the registry, so a plain predict would put it back: ask without that.
    expect((await run("predict", "iris:1", "--no-auto-register", "--data", rows())).exitCode).toBe(4);
    const v2 = json(await ok("predict", "iris:2", "--data", rows(), "-o", "json"));
    expect(v2.response.predict).toEqual(answers.iris_v2);
    await ok("unregister", "petal", "--yes");
    expect((await run("predict", "petal", "--data", "[[1, 2, 3]]")).exitCode).toBe(4);
  }, 60_000);
});
