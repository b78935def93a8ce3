import { createHash } from "node:crypto";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentDigest } from "../../src/archive/content-digest.js";
import { MlflowRegistry } from "../../src/registry/mlflow/backend.js";
import { cliIn, json, repoRoot, tempProject } from "../helpers/cli.js";
import { mlflowMissing, type RunningMlflow, startMlflow } from "../helpers/mlflow.js";
import { requireOrSkip } from "../helpers/python.js";

/**
 * Every artifact kind through a real MLflow tracking server (.venv-mlflow):
 * pushed with its kind and digest, listed and shown, verified, downloaded back
 * to the same bytes and content, and released under one case-insensitive alias
 * with its history.
 */
const missing = mlflowMissing();
requireOrSkip(missing, "the MLflow kinds tests");

const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");

describe.skipIf(Boolean(missing))("every artifact kind through a real MLflow server", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let mlflow: RunningMlflow;
  const env: Record<string, string> = {};
  const { ok } = cliIn(() => ({ cwd: dir, env }));

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject("intent"));
    mlflow = await startMlflow(join(dir, "mlflow"));
    env.MSERVE_REGISTRY = `mlflow+${mlflow.url}`;
    await cp(join(repoRoot, "fixtures", "tfserving", "linear"), join(dir, "export"), { recursive: true });
    await mkdir(join(dir, "iris", "1"), { recursive: true });
    await cp(
      join(repoRoot, "fixtures", "mlserver", "iris", "model.joblib"),
      join(dir, "iris", "1", "model.joblib"),
    );
    await writeFile(
      join(dir, "iris", "1", "model-settings.json"),
      JSON.stringify({
        name: "iris",
        implementation: "mlserver_sklearn.SKLearnModel",
        parameters: { uri: "./model.joblib", version: "1" },
      }),
    );
    await writeFile(join(dir, "notes.bin"), "plain bytes");
  }, 180_000);

  afterAll(async () => {
    await mlflow?.stop();
    await cleanup?.();
  });

  it("round-trips each kind: pushed, shown, verified and downloaded to the same bytes and content", async () => {
    await ok("package", "--handler", handler, "--export-path", "mar");
    await ok(
      "package",
      "--handler",
      handler,
      "-v",
      "2",
      "--archive-format",
      "no-archive",
      "--export-path",
      "folder",
    );
    await ok("init", "--target", "triton", "--template", "python", "adder");
    await ok("package", "--config", "adder/mserve.yaml", "-v", "1");
    const pushes: [string[], string][] = [
      [["mar/intent.mar"], "torchserve-archive"],
      [["folder/intent"], "torchserve-archive"],
      [["adder/model_repository/adder/1"], "triton-version"],
      [["export", "--name", "linear", "--version", "1"], "tf-savedmodel"],
      [["iris/1"], "mlserver-version"],
      [["notes.bin", "--name", "notes", "--version", "1"], "file"],
    ];
    const registry = new MlflowRegistry({ url: mlflow.url, cacheDir: join(dir, "cache"), timeoutMs: 30_000 });
    try {
      for (const [args, kind] of pushes) {
        const pushed = json(await ok("registry", "push", ...args, "-o", "json"));
        expect(pushed).toMatchObject({ status: "created", kind });
        const shown = json(await ok("registry", "show", `${pushed.name}:${pushed.version}`, "-o", "json"));
        expect(shown).toMatchObject({
          kind,
          target: pushed.target,
          format: pushed.format,
          artifact: pushed.artifact,
        });
        const local = await registry.localArtifact(shown);
        expect(
          createHash("sha256")
            .update(await readFile(local))
            .digest("hex"),
        ).toBe(pushed.artifact.sha256);
        if (kind !== "file")
          expect(
            await contentDigest(local, {
              strip: pushed.format === "tgz" && kind === "torchserve-archive" ? 1 : 0,
            }),
          ).toBe(pushed.artifact.digest);
        // The same content again is unchanged (MLflow compares digests too).
        expect(json(await ok("registry", "push", ...args, "-o", "json")).status).toBe("unchanged");
      }
    } finally {
      await registry.close();
    }
    const listed = await ok("registry", "list", "intent");
    expect(listed.stdout.match(/torchserve-archive/g)).toHaveLength(2);
    await ok("registry", "verify");
  }, 240_000);

  it("keeps one alias whatever its case, with its history", async () => {
    await ok("release", "intent", "1", "--as", "PROD");
    const moved = json(await ok("release", "intent", "2", "--as", "prod", "-o", "json"));
    expect(moved).toMatchObject({ changed: true, alias: "PROD", version: "2", previous: "1" });
    expect(moved.seq).toBeGreaterThan(0);
    const noop = json(await ok("release", "intent", "2", "--as", "Prod", "-o", "json"));
    expect(noop).toEqual({ name: "intent", changed: false, alias: "PROD", version: "2" });
    expect(json(await ok("registry", "show", "intent@prod", "-o", "json")).version).toBe("2");
    const models = json(await ok("registry", "list", "-o", "json")).models;
    expect(models.find((m: { name: string }) => m.name === "intent").aliases).toEqual({ PROD: "2" });
    await ok("rollback", "intent", "--alias", "prod");
    const history = json(await ok("registry", "history", "intent", "--alias", "PROD", "-o", "json")).events;
    expect(history.map((e: { action: string; version: string }) => `${e.action} ${e.version}`)).toEqual([
      "release 1",
      "release 2",
      "rollback 1",
    ]);
  }, 120_000);
});
