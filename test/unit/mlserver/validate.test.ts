import { chmod, cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectFileSchema } from "../../../src/config/find-project.js";
import { parseProjectText } from "../../../src/config/project.js";
import { unzipVersion, zipVersion } from "../../../src/targets/mlserver/artifact.js";
import { jsonErrorOffset } from "../../../src/targets/mlserver/json-position.js";
import { locateMlserver, runtimeCheckFor } from "../../../src/targets/mlserver/locate.js";
import { planMlserverPackage, writeMlserverPackage } from "../../../src/targets/mlserver/package.js";
import { checkSettingsText } from "../../../src/targets/mlserver/schema.js";
import {
  detectMlserver,
  type RuntimeCheck,
  validateMlserver,
} from "../../../src/targets/mlserver/validate.js";
import { repoRoot } from "../../helpers/cli.js";
import { tempDirs } from "../runtime/temp-dirs.js";

const temp = tempDirs("mlserver");
const sklearnOnly: RuntimeCheck = { where: "test server", has: (m) => m === "mlserver_sklearn" };

async function version(
  root: string,
  name: string,
  v: string,
  settings: object,
  files: Record<string, string> = {},
) {
  const dir = join(root, name, v);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "model-settings.json"), JSON.stringify(settings, null, 2));
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

describe("model-settings.json against MLServer's own schema", () => {
  it("finds where a text stops being JSON", () => {
    expect(jsonErrorOffset('{"a": [1, {"b": null}], "c": "x\\"y"}')).toBe(-1);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('{"a":\n}')).toBe(6);
    expect(jsonErrorOffset("[1 2]")).toBe(3);
  });

  it("reports syntax, schema and unknown keys with line:column; text MLServer converts only warns", async () => {
    const syntax = await checkSettingsText('{\n  "name": "x",\n  "implementation": \n}', "m.json");
    expect(syntax.diagnostics).toEqual([
      expect.objectContaining({ rule: "settings-syntax", line: 4, column: 1 }),
    ]);
    const text =
      '{\n  "name": "x",\n  "implementaton": "y",\n  "inputs": [{"name": "a", "datatype": "FP65", "shape": [1]}],\n  "max_batch_size": "8"\n}';
    const { diagnostics } = await checkSettingsText(text, "m.json");
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: "error",
          rule: "settings-schema",
          message: '"implementation" is required',
        }),
        expect.objectContaining({
          severity: "error",
          rule: "settings-schema",
          path: "inputs.0.datatype",
          line: 4,
        }),
        expect.objectContaining({
          severity: "warning",
          rule: "settings-unknown-key",
          path: "implementaton",
          line: 3,
          column: 3,
        }),
        expect.objectContaining({
          severity: "warning",
          rule: "settings-schema",
          path: "max_batch_size",
          line: 5,
        }),
      ]),
    );
  });

  it("checks what loading needs: the uri, the custom module and class, the runtime, one name:version", async () => {
    const root = await temp();
    await version(root, "a", "1", {
      name: "a",
      implementation: "mlserver_sklearn.SKLearnModel",
      parameters: { uri: "./nope.joblib", version: "1" },
    });
    await version(
      root,
      "b",
      "1",
      {
        name: "b",
        implementation: "mlserver_xgboost.XGBoostModel",
        parameters: { uri: "./model.json", version: "1" },
      },
      { "model.json": "{}" },
    );
    await version(
      root,
      "c",
      "1",
      { name: "c", implementation: "model.Missing", parameters: { version: "1" } },
      { "model.py": "class Other:\n    pass\n" },
    );
    await version(root, "d", "1", {
      name: "d",
      implementation: "scorer.Model",
      parameters: { version: "1" },
    });
    await version(
      root,
      "e",
      "1",
      {
        name: "e",
        implementation: "mlserver_sklearn.SKLearnModel",
        parameters: { uri: "./m.skops", version: "1" },
      },
      { "m.skops": "x" },
    );
    await version(
      root,
      "f",
      "1",
      { name: "f", implementation: "mlserver_sklearn.SKLearnModel", parameters: { version: "1" } },
      { "model.joblib": "x" },
    );
    await version(
      root,
      "f",
      "copy",
      { name: "f", implementation: "mlserver_sklearn.SKLearnModel", parameters: { version: "1" } },
      { "model.joblib": "x" },
    );
    expect(await detectMlserver(root)).toBe("repository");
    expect(await detectMlserver(join(root, "a", "1"))).toBe("model");
    const report = await validateMlserver(root, "/", sklearnOnly);
    const rules = report.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.model}:${d.rule}`);
    expect(rules.sort()).toEqual(
      [
        "a:uri-missing",
        "b:runtime-missing",
        "c:custom-class",
        "d:custom-module",
        "e:sklearn-skops",
        "f:duplicate-version",
      ].sort(),
    );
    expect(report.valid).toBe(false);
    expect(report.runtimes).toBe("test server");
    // Without a server to ask, runtimes are not checked, and say so.
    const unchecked = await validateMlserver(join(root, "b", "1"), "/");
    expect(unchecked).toMatchObject({ valid: true, runtimes: expect.stringMatching(/not checked/) });
  });
});

describe("package --target mlserver", () => {
  it("picks the runtime from the model file, writes NAME/VERSION/model-settings.json, and refuses to overwrite", async () => {
    const dir = await temp();
    await cp(join(repoRoot, "fixtures", "mlserver"), join(dir, "fx"), { recursive: true });
    const plan = await planMlserverPackage(
      undefined,
      { modelName: "petal", version: "3", serializedFile: "fx/petal/model.json" },
      dir,
    );
    expect(plan.settings).toEqual({
      name: "petal",
      implementation: "mlserver_xgboost.XGBoostModel",
      parameters: { uri: "./model.json", version: "3" },
    });
    const written = await writeMlserverPackage(plan, { force: false });
    expect(written).toMatchObject({ status: "created", files: ["model-settings.json", "model.json"] });
    expect(
      JSON.parse(await readFile(join(dir, "model_repository", "petal", "3", "model-settings.json"), "utf8")),
    ).toEqual(plan.settings);
    await expect(writeMlserverPackage(plan, { force: false })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await writeMlserverPackage(plan, { force: true })).status).toBe("replaced");
    await writeFile(join(dir, "model.onnx"), "x");
    await expect(
      planMlserverPackage(undefined, { modelName: "m", serializedFile: "model.onnx" }, dir),
    ).rejects.toMatchObject({
      code: "USAGE",
      message: expect.stringMatching(/cannot tell which MLServer runtime loads model.onnx/),
    });
  });

  it("reads mserve.yaml: a custom model.py, its tensors and targets.mlserver", async () => {
    const dir = await temp();
    const yaml =
      "name: scorer\nversion: 2\ntarget: mlserver\nmodel-file: model.py\ntargets:\n  mlserver:\n    inputs: [{name: x, datatype: FP32, shape: [-1, 3], content-type: np}]\n    extra: {k: v}\n";
    await writeFile(join(dir, "mserve.yaml"), yaml);
    await writeFile(
      join(dir, "model.py"),
      "from mlserver import MLModel\n\nclass Scorer(MLModel):\n    pass\n",
    );
    const project = {
      file: join(dir, "mserve.yaml"),
      dir,
      config: parseProjectText(yaml, "mserve.yaml", await projectFileSchema()),
    };
    const plan = await planMlserverPackage(project, {}, dir);
    expect(plan.settings).toEqual({
      name: "scorer",
      implementation: "model.Scorer",
      parameters: { version: "2", extra: { k: "v" } },
      inputs: [{ name: "x", datatype: "FP32", shape: [-1, 3], parameters: { content_type: "np" } }],
    });
    expect((await writeMlserverPackage(plan, { force: false })).files).toEqual([
      "model-settings.json",
      "model.py",
    ]);
    expect((await validateMlserver(plan.dir, "/")).valid).toBe(true);
  });
});

describe("the registry's form of a version", () => {
  it("zips a version folder to the same bytes every time, and unpacks only an MLServer model", async () => {
    const dir = await temp();
    const version = join(dir, "petal", "1");
    await mkdir(version, { recursive: true });
    await cp(join(repoRoot, "fixtures", "mlserver", "petal", "model.json"), join(version, "model.json"));
    await writeFile(
      join(version, "model-settings.json"),
      '{"name": "petal", "implementation": "mlserver_xgboost.XGBoostModel"}',
    );
    await zipVersion(version, join(dir, "a.zip"));
    await zipVersion(version, join(dir, "b.zip"));
    expect((await readFile(join(dir, "a.zip"))).equals(await readFile(join(dir, "b.zip")))).toBe(true);
    const unpacked = await unzipVersion(join(dir, "a.zip"), { name: "petal", version: "1" });
    expect(JSON.parse(await readFile(join(unpacked.dir, "model-settings.json"), "utf8")).name).toBe("petal");
    await unpacked.done();
    await mkdir(join(dir, "other"), { recursive: true });
    await writeFile(join(dir, "other", "x.txt"), "not a model");
    await zipVersion(join(dir, "other"), join(dir, "other.zip"));
    await expect(unzipVersion(join(dir, "other.zip"), { name: "petal", version: "2" })).rejects.toMatchObject(
      {
        code: "INVALID_INPUT",
        message: expect.stringMatching(/not an MLServer model/),
      },
    );
  });
});

describe("finding mlserver", () => {
  it("MSERVE_MLSERVER_BIN, then $VIRTUAL_ENV, then .venv-mlserver here or above, then PATH; runtimes from its site-packages", async () => {
    const root = await temp();
    const fake = async (venv: string) => {
      await mkdir(join(venv, "bin"), { recursive: true });
      await mkdir(join(venv, "lib", "python3.11", "site-packages", "mlserver_sklearn"), { recursive: true });
      await writeFile(join(venv, "bin", "mlserver"), "#!/bin/sh\n");
      await chmod(join(venv, "bin", "mlserver"), 0o755);
      return join(venv, "bin", "mlserver");
    };
    const explicit = await fake(join(root, "explicit"));
    const active = await fake(join(root, "active"));
    const project = await fake(join(root, "proj", ".venv-mlserver"));
    const sub = join(root, "proj", "sub");
    await mkdir(sub, { recursive: true });
    expect(
      locateMlserver({ MSERVE_MLSERVER_BIN: explicit, VIRTUAL_ENV: join(root, "active") }, sub)?.bin,
    ).toBe(explicit);
    expect(locateMlserver({ VIRTUAL_ENV: join(root, "active") }, sub)?.bin).toBe(active);
    const found = locateMlserver({ PATH: "" }, sub);
    expect(found?.bin).toBe(project);
    const check = runtimeCheckFor(found, "here");
    expect([check?.has("mlserver_sklearn"), check?.has("mlserver_lightgbm")]).toEqual([true, false]);
    expect(locateMlserver({ PATH: join(root, "explicit", "bin") }, root)?.source).toBe("PATH");
    expect(locateMlserver({ MSERVE_MLSERVER_BIN: join(root, "none") }, sub)).toBeUndefined();
    expect(runtimeCheckFor("image", "docker")?.has("mlserver_lightgbm")).toBe(true);
  });
});
