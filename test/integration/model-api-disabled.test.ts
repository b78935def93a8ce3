import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mserve, repoRoot, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { type RunningTorchServe, startTorchServe, torchserveMissing } from "../helpers/torchserve.js";

/**
 * A TorchServe started the way its own docs and the stock image start it: model
 * API off. mserve must say why registering fails and how to fix it, and leave
 * nothing behind in the store.
 */
const missing = torchserveMissing();
requireOrSkip(missing);

describe.skipIf(Boolean(missing))("real TorchServe with the model API disabled", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: RunningTorchServe;
  let store: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject("intent"));
    store = join(dir, "store");
    await mkdir(store);
    const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");
    const packaged = await mserve(["package", "--handler", handler, "--export-path", "dist"], { cwd: dir });
    expect(packaged.exitCode, packaged.stderr).toBe(0);
    server = await startTorchServe({ modelStore: store, modelApi: false });
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup?.();
  });

  it("deploy: 405 becomes exit 7 with the fix as hint, and the copied archive is removed", async () => {
    const result = await mserve(
      [
        "deploy",
        "dist/intent.mar",
        "--url",
        server.managementUrl,
        "--inference-url",
        server.inferenceUrl,
        "--model-store",
        store,
      ],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toMatch(/HTTP 405/);
    expect(result.stderr).toMatch(/model API is disabled/);
    expect(result.stderr).toMatch(/--enable-model-api/);
    expect(await readdir(store)).toEqual([]);
  });

  it("reads still work: models lists nothing", async () => {
    const result = await mserve(["models", "--url", server.managementUrl, "-o", "json"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ models: [] });
  });
});
