import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesDir, mserve, repoRoot } from "../helpers/cli.js";
import { requireOrSkip, venvBin } from "../helpers/python.js";
import { type RunningTorchServe, startTorchServe, torchserveMissing } from "../helpers/torchserve.js";

/**
 * Every format mserve writes, loaded into a real TorchServe 0.12.0 and asked
 * for predictions: the fixture's held-out samples must get their expected intents.
 */
const missing = torchserveMissing();
requireOrSkip(missing, "real-TorchServe tests");

const FORMATS = [
  { format: "default", name: "intent-default", url: "intent-default.mar" },
  { format: "zip-store", name: "intent-zip-store", url: "intent-zip-store.mar" },
  { format: "tgz", name: "intent-tgz", url: "intent-tgz.tar.gz" },
  { format: "no-archive", name: "intent-no-archive", url: "intent-no-archive" },
] as const;

interface Sample {
  text: string;
  intent: string;
}

let store: string;
let work: string;
let server: RunningTorchServe | undefined;
let samples: Sample[];

/** A tiny TorchScript CNN over 3×224×224 images and a red PNG, made by the venv's torch and Pillow. */
async function makeImageModel(dir: string): Promise<void> {
  const script = `
import json, sys, torch
from PIL import Image
torch.manual_seed(0)
class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(3, 3)
        with torch.no_grad():
            self.fc.weight.copy_(torch.eye(3) * 10)
            self.fc.bias.zero_()
    def forward(self, x):
        return self.fc(self.pool(x).flatten(1))
torch.jit.trace(Tiny().eval(), torch.zeros(1, 3, 224, 224)).save(sys.argv[1] + "/model.pt")
json.dump({"0": "red", "1": "green", "2": "blue"}, open(sys.argv[1] + "/index_to_name.json", "w"))
Image.new("RGB", (320, 240), (230, 20, 20)).save(sys.argv[1] + "/red.png")
`;
  await execa(venvBin("python"), ["-c", script, dir]);
}

describe.skipIf(Boolean(missing))("real TorchServe 0.12.0 serves what mserve packages", () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "mserve-serve-"));
    store = join(work, "store");
    await mkdir(store);
    samples = (await readFile(join(fixturesDir, "intent", "samples.jsonl"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Sample);
    for (const { format, name } of FORMATS) {
      const r = await mserve(
        [
          "package",
          "--config",
          join(fixturesDir, "intent", "mserve.yaml"),
          "--model-name",
          name,
          "--archive-format",
          format,
          "--export-path",
          store,
        ],
        { cwd: work },
      );
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const image = join(work, "image");
    await mkdir(image);
    await makeImageModel(image);
    await writeFile(
      join(image, "handler.py"),
      await readFile(join(repoRoot, "templates/torchserve/image_classifier.py")),
    );
    const img = await mserve(
      [
        "package",
        "--model-name",
        "colors",
        "-v",
        "1",
        "--serialized-file",
        "model.pt",
        "--handler",
        "handler.py",
        "--extra-files",
        "index_to_name.json",
        "--export-path",
        store,
      ],
      { cwd: image },
    );
    expect(img.exitCode, img.stderr).toBe(0);
    const custom = await mserve(
      [
        "package",
        "--model-name",
        "echo",
        "-v",
        "1",
        "--handler",
        join(repoRoot, "templates/torchserve/custom.py"),
        "--export-path",
        store,
      ],
      { cwd: work },
    );
    expect(custom.exitCode, custom.stderr).toBe(0);
    server = await startTorchServe({ modelStore: store });
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const { format, name, url } of FORMATS) {
    it(`registers the ${format} format and predicts every sample`, async () => {
      const ts = server as RunningTorchServe;
      // The offline check must pass on everything the real server accepts.
      const checked = await mserve(["validate", join(store, url), "-o", "json"], { cwd: work });
      expect(checked.exitCode, checked.stdout).toBe(0);
      expect(JSON.parse(checked.stdout).valid).toBe(true);
      const registered = await ts.register(url);
      expect(registered.status, `${registered.body}\n${await ts.logTail()}`).toBe(200);
      for (const sample of samples) {
        const reply = await ts.predict(name, sample.text);
        expect(reply.status, reply.text).toBe(200);
        expect(reply.json, sample.text).toMatchObject({ intent: sample.intent, topk: expect.any(Array) });
        expect((reply.json as { topk: unknown[] }).topk).toHaveLength(3);
      }
      const byVersion = await ts.predict(name, JSON.stringify({ text: samples[0]?.text }), "1");
      expect(byVersion.json).toMatchObject({ intent: samples[0]?.intent });
    }, 180_000);
  }

  it("answers concurrent requests (server-side batching) in order", async () => {
    const ts = server as RunningTorchServe;
    const replies = await Promise.all(samples.map((s) => ts.predict("intent-default", s.text)));
    expect(replies.map((r) => (r.json as { intent: string }).intent)).toEqual(samples.map((s) => s.intent));
    const empty = await ts.predict("intent-default", "");
    expect(empty.status).toBe(200);
    expect(empty.json).toMatchObject({ intent: expect.any(String) });
  }, 120_000);

  it("serves the image-classifier template", async () => {
    const ts = server as RunningTorchServe;
    const registered = await ts.register("colors.mar");
    expect(registered.status, `${registered.body}\n${await ts.logTail()}`).toBe(200);
    const reply = await ts.predict("colors", await readFile(join(work, "image", "red.png")));
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({ label: "red", topk: expect.any(Array) });
  }, 180_000);

  it("serves the custom template (echo skeleton)", async () => {
    const ts = server as RunningTorchServe;
    const registered = await ts.register("echo.mar");
    expect(registered.status, `${registered.body}\n${await ts.logTail()}`).toBe(200);
    const reply = await ts.predict("echo", "hello");
    expect(reply.json).toEqual({ echo: "hello", model_dir: expect.any(String) });
  }, 180_000);
});
