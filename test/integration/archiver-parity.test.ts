import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mserve } from "../helpers/cli.js";
import { missingVenvTool, pythonListing, requireOrSkip, venvBin } from "../helpers/python.js";

/**
 * Same inputs through the real torch-model-archiver 0.12.0 and `mserve package`:
 * manifests must match byte for byte (createdOn aside), entries by name and content.
 */
const missing = missingVenvTool("torch-model-archiver");
requireOrSkip(missing, "archiver parity tests");

const FORMATS = ["default", "zip-store", "tgz", "no-archive"] as const;
const CASES: Record<string, string[]> = {
  "every kind of input": [
    "--model-name",
    "intent",
    "-v",
    "1.0",
    "--model-file",
    "model.py",
    "--serialized-file",
    "model.pt",
    "--handler",
    "handler.py",
    "--extra-files",
    "vocab.json,extras,data/*.json",
    "-r",
    "requirements.txt",
    "-c",
    "model-config.yaml",
  ],
  "a built-in handler": [
    "--model-name",
    "builtin",
    "-v",
    "2",
    "--serialized-file",
    "model.pt",
    "--handler",
    "text_classifier",
  ],
  "a handler named without .py": ["--model-name", "bare", "-v", "3", "--handler", "handler"],
  "runtime python3 and a dotted name": [
    "--model-name",
    "my-model.v2",
    "-v",
    "2026-11-25",
    "--handler",
    "handler.py",
    "--runtime",
    "python3",
  ],
};

let project: string;
const withoutCreatedOn = (manifest: string) => manifest.replace(/"createdOn": "[^"]*"/, '"createdOn": ""');
const outputName = (name: string, format: string) =>
  format === "tgz" ? `${name}.tar.gz` : format === "no-archive" ? name : `${name}.mar`;

describe.skipIf(Boolean(missing))("parity with torch-model-archiver 0.12.0", () => {
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), "mserve-parity-"));
    const files: Record<string, string | Buffer> = {
      "model.py": "import torch\nclass M(torch.nn.Module):\n    pass\n",
      "model.pt": Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)),
      "handler.py": "def handle(data, context):\n    return data\n",
      "requirements.txt": "# none\n",
      "model-config.yaml": "minWorkers: 1\n",
      "vocab.json": '{"<unk>": 0, "caf\u00e9": 1}',
      "extras/a.txt": "a",
      "extras/nested/b.txt": "b",
      "extras/__pycache__/c.pyc": "c",
      "extras/.hidden/d.txt": "d",
      "extras/.DS_Store": "e",
      "data/x1.json": "{}",
      "data/x2.json": "[]",
      "data/skip.txt": "no",
    };
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(project, name, ".."), { recursive: true });
      await writeFile(join(project, name), content);
    }
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  for (const [label, args] of Object.entries(CASES)) {
    for (const format of FORMATS) {
      it(`${label}, ${format}`, async () => {
        const name = args[args.indexOf("--model-name") + 1] as string;
        const upstreamOut = join(project, `up-${format}-${name}`);
        const oursOut = join(project, `ours-${format}-${name}`);
        await mkdir(upstreamOut, { recursive: true });
        await execa(
          venvBin("torch-model-archiver"),
          [...args, "--archive-format", format, "--export-path", upstreamOut],
          { cwd: project },
        );
        const r = await mserve(["package", ...args, "--archive-format", format, "--export-path", oursOut], {
          cwd: project,
        });
        expect(r.stderr).toBe("");
        expect(r.exitCode).toBe(0);

        const upstream = await pythonListing(join(upstreamOut, outputName(name, format)));
        const ours = await pythonListing(join(oursOut, outputName(name, format)));
        expect(withoutCreatedOn(ours.manifest)).toBe(withoutCreatedOn(upstream.manifest));
        expect(ours.manifest).toMatch(/^\{\n {2}"createdOn": "\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d",\n/);
        expect(ours.manifest.endsWith("}")).toBe(true);
        const dataOnly = (e: Record<string, [number, string]>) =>
          Object.fromEntries(Object.entries(e).filter(([n]) => !n.endsWith("MANIFEST.json")));
        expect(dataOnly(ours.entries)).toEqual(dataOnly(upstream.entries));
      });
    }
  }
});
