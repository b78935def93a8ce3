import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mserve, tempProject } from "../helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempProject());
});
afterEach(() => cleanup());

describe("mserve init", () => {
  it.each([
    ["text-classifier", ["mserve.yaml", "README.md", "model-config.yaml", "handler.py", "model.py"]],
    ["image-classifier", ["mserve.yaml", "README.md", "handler.py"]],
    ["custom", ["mserve.yaml", "README.md", "handler.py"]],
  ])("scaffolds the %s template", async (template, files) => {
    const r = await mserve(["init", "--template", template, "my-model", "-o", "json"], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ name: "my-model", template });
    expect(doc.files).toEqual(files.map((f) => join(dir, "my-model", f)));
    const yaml = await readFile(join(dir, "my-model", "mserve.yaml"), "utf8");
    expect(yaml).toContain("name: my-model");
    expect(yaml).toContain("handler: handler.py");
  });

  it("produces a project mserve package accepts once weights are added", async () => {
    expect((await mserve(["init", "-t", "custom", "proj"], { cwd: dir })).exitCode).toBe(0);
    await writeFile(join(dir, "proj", "model.pt"), "weights");
    const r = await mserve(["package", "-o", "json"], { cwd: join(dir, "proj") });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).manifest.model).toMatchObject({
      modelName: "proj",
      handler: "handler.py",
      serializedFile: "model.pt",
    });
  });

  it("refuses to overwrite without --force and changes nothing", async () => {
    expect((await mserve(["init", "proj"], { cwd: dir })).exitCode).toBe(0);
    await writeFile(join(dir, "proj", "handler.py"), "# mine\n");
    const again = await mserve(["init", "proj"], { cwd: dir });
    expect(again.exitCode).toBe(5);
    expect(again.stderr).toMatch(/refusing to overwrite existing files: .*mserve\.yaml/);
    expect(again.stderr).toMatch(/--force/);
    expect(await readFile(join(dir, "proj", "handler.py"), "utf8")).toBe("# mine\n");
    expect((await mserve(["init", "proj", "--force"], { cwd: dir })).exitCode).toBe(0);
    expect(await readFile(join(dir, "proj", "handler.py"), "utf8")).toContain("class TextClassifierHandler");
  });

  it("scaffolds for the target given: --target mlserver writes an MLModel project, other targets' templates are refused", async () => {
    const r = await mserve(["init", "--target", "mlserver", "scorer", "-o", "json"], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: "mlserver", template: "custom", name: "scorer" });
    expect(await readFile(join(dir, "scorer", "model.py"), "utf8")).toContain("class Model(MLModel)");
    expect(await readFile(join(dir, "scorer", "mserve.yaml"), "utf8")).toContain("target: mlserver");
    const wrong = await mserve(["init", "--target", "mlserver", "-t", "text-classifier", "x"], { cwd: dir });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/mlserver has no template "text-classifier"[\s\S]*custom, sklearn/);
    const none = await mserve(["init", "--target", "tfserving", "x"], { cwd: dir });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/`init` is not available for tfserving/);
  });

  it("rejects an unknown template and a bad model name", async () => {
    expect((await mserve(["init", "-t", "llm"], { cwd: dir })).exitCode).toBe(2);
    const bad = await mserve(["init", "x", "--name", "-bad"], { cwd: dir });
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toMatch(/model name "-bad" is not allowed/);
  });
});
