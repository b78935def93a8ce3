import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locateTriton } from "../../src/targets/triton/locate.js";
import { cliIn, json, repoRoot, stopAllAndCleanup, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * The GPU flags mserve emits, accepted by the real servers on a machine without
 * GPUs: TorchServe with `--gpus none` (number_of_gpu=0, CUDA_VISIBLE_DEVICES=""),
 * tritonserver with `--gpus none` and `--gpus 0,1` (CUDA_VISIBLE_DEVICES), each
 * started, deployed to and asked; and Triton refusing a KIND_GPU model here.
 */
const tsMissing = torchserveMissing();
const triton = locateTriton({ ...process.env, PATH: "" }, repoRoot);
const tritonMissing = triton ? undefined : "tritonserver (nvidia-pytriton in .venv-triton) not found";
for (const missing of [tsMissing, tritonMissing]) requireOrSkip(missing);

let dir: string;
let cleanup: () => Promise<void>;
const env = {
  MSERVE_TORCHSERVE_BIN: tsMissing ? "" : torchserveBin(),
  MSERVE_TRITONSERVER_BIN: triton?.bin ?? "",
};
const { run, ok } = cliIn(() => ({ cwd: dir, env }));

beforeAll(async () => {
  ({ dir, cleanup } = await tempProject());
  await cp(join(repoRoot, "fixtures", "intent"), join(dir, "intent"), { recursive: true });
});
afterAll(() => stopAllAndCleanup(dir, run, cleanup));

describe.skipIf(Boolean(tsMissing))("TorchServe started by `mserve serve --gpus none`", () => {
  it("starts with number_of_gpu=0 and CUDA hidden, deploys, answers, and says its workers run on the cpu", async () => {
    const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");
    await ok("package", "--config", "intent/mserve.yaml", "--handler", handler, "--export-path", "dist");
    const served = json(
      await ok(
        "serve",
        "--name",
        "tsnone",
        "--ports",
        "auto",
        "--gpus",
        "none",
        "--disable-token-auth",
        "-o",
        "json",
      ),
    );
    expect(served).toMatchObject({ gpus: "none", gpuChoice: { choice: "none", source: "flag" } });
    expect(await readFile(served.configFile, "utf8")).toContain("\nnumber_of_gpu=0\n");
    // TorchServe prints the configuration it runs with: the GPU count it took from the config.
    expect(await readFile(served.logFile, "utf8")).toMatch(/Number of GPUs: 0/);

    const deployed = json(await ok("deploy", "dist/intent.mar", "--server", "tsnone", "-o", "json"));
    expect(deployed.devices).toBe("cpu");
    const answer = json(
      await ok(
        "predict",
        "intent",
        "--server",
        "tsnone",
        "--data",
        "set a timer for ten minutes",
        "-o",
        "json",
      ),
    );
    expect(answer.response.intent).toBe("set_timer");
    const models = json(await ok("models", "--server", "tsnone", "-o", "json")).models;
    expect(models[0].devices).toEqual([{ worker: expect.any(String), device: "cpu" }]);
    expect(models[0].workers[0]).toMatchObject({ gpu: false, gpuUsage: "N/A" });
    expect((await ok("models", "--server", "tsnone")).stdout).toMatch(/DEVICES[\s\S]*\bcpu\b/);
    await ok("stop", "tsnone");
  }, 240_000);
});

describe.skipIf(Boolean(tritonMissing))("tritonserver started with the GPU flags", () => {
  beforeAll(async () => {
    await ok("package", "--target", "triton", "--config", "intent/mserve.yaml", "--repository", "repo");
  }, 120_000);

  it("--gpus none: deploy --gpus none writes KIND_CPU and answers; deploy --gpus 0 warns, is refused by Triton and rolled back", async () => {
    const served = json(
      await ok(
        "serve",
        "--target",
        "triton",
        "--name",
        "trinone",
        "--ports",
        "auto",
        "--gpus",
        "none",
        "-o",
        "json",
      ),
    );
    expect(served).toMatchObject({ gpus: "none" });
    const deployed = json(
      await ok("deploy", "repo/intent", "--server", "trinone", "--gpus", "none", "-o", "json"),
    );
    expect(deployed.instances).toEqual([expect.objectContaining({ kind: "KIND_CPU", count: 1 })]);
    const config = await readFile(join(served.modelStore, "intent", "config.pbtxt"), "utf8");
    expect(config).toMatch(/kind: KIND_CPU/);
    expect((await ok("models", "--server", "trinone")).stdout).toMatch(/INSTANCES[\s\S]*CPU ×1/);

    const gpu = await run("deploy", "repo/intent", "--server", "trinone", "--gpus", "0", "--replace");
    expect(gpu.exitCode).toBe(7);
    expect(gpu.stderr).toContain("was started with --gpus none: Triton will refuse KIND_GPU");
    expect(gpu.stderr).toMatch(/Triton could not load intent: .*GPU/);
    // Rolled back: the KIND_CPU config is back, and the model still answers.
    expect(await readFile(join(served.modelStore, "intent", "config.pbtxt"), "utf8")).toBe(config);
    const answer = json(
      await ok("predict", "intent", "--server", "trinone", "--data", "play some jazz", "-o", "json"),
    );
    expect(answer.response.INTENT).toEqual(["play_music"]);
    await ok("stop", "trinone");
  }, 240_000);

  it("--gpus 0,1 on a machine without GPUs: starts, and a KIND_CPU model loads and answers", async () => {
    const dry = json(
      await ok("serve", "--target", "triton", "--gpus", "0,1", "--ports", "auto", "--dry-run", "-o", "json"),
    );
    expect(dry.env.CUDA_VISIBLE_DEVICES).toBe("0,1");
    const served = json(
      await ok(
        "serve",
        "--target",
        "triton",
        "--name",
        "trigpus",
        "--ports",
        "auto",
        "--gpus",
        "0,1",
        "-o",
        "json",
      ),
    );
    expect(served).toMatchObject({ gpus: "0,1", ready: true });
    const deployed = json(
      await ok("deploy", "repo/intent", "--server", "trigpus", "--gpus", "none", "-o", "json"),
    );
    expect(deployed).toMatchObject({
      state: "READY",
      instances: [expect.objectContaining({ kind: "KIND_CPU" })],
    });
    const answer = json(
      await ok("predict", "intent", "--server", "trigpus", "--data", "turn on the lights", "-o", "json"),
    );
    expect(answer.response.INTENT).toEqual(["turn_on_lights"]);
    // A KIND_GPU config is still only a warning offline: validate cannot know the server's GPUs.
    const validated = json(await ok("validate", join(served.modelStore, "intent"), "-o", "json"));
    expect(validated.valid).toBe(true);
    await ok("stop", "trigpus");
  }, 240_000);
});
