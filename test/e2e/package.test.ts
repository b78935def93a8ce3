import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { binPath, mserve, tempProject } from "../helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempProject());
  await writeFile(join(dir, "handler.py"), "def handle(data, context):\n    return data\n");
  await writeFile(join(dir, "model.pt"), Buffer.alloc(4096, 7));
  await writeFile(join(dir, "vocab.json"), '{"<unk>": 0}');
});
afterEach(() => cleanup());

const base = [
  "package",
  "--model-name",
  "demo",
  "-v",
  "1",
  "--handler",
  "handler.py",
  "--serialized-file",
  "model.pt",
];
const listing = async (path: string) => (await readdir(path)).sort();

describe("mserve package", () => {
  it("writes a .mar and reports it as one JSON document", async () => {
    const r = await mserve([...base, "--extra-files", "vocab.json", "--export-path", "dist", "-o", "json"], {
      cwd: dir,
    });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.path).toBe(join(dir, "dist", "demo.mar"));
    expect(doc.format).toBe("default");
    expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.bytes).toBe((await stat(doc.path)).size);
    expect(doc.manifest.model).toEqual({
      modelName: "demo",
      serializedFile: "model.pt",
      handler: "handler.py",
      modelVersion: "1",
    });
    expect(doc.entries.map((e: { name: string }) => e.name)).toEqual([
      "model.pt",
      "handler.py",
      "vocab.json",
      "MAR-INF/MANIFEST.json",
    ]);
    expect(await listing(join(dir, "dist"))).toEqual(["demo.mar"]);
  });

  it("prints the path and entries in text mode, notes on stderr only", async () => {
    const r = await mserve([...base, "--export-path", "dist"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^dist\/demo\.mar {2}default/);
    expect(r.stdout).toContain("MAR-INF/MANIFEST.json");
    const quiet = await mserve([...base, "--export-path", "dist", "-f", "-q"], { cwd: dir });
    expect(quiet.stdout).toBe(join(dir, "dist", "demo.mar"));
  });

  it("reads every option from mserve.yaml, flags win", async () => {
    await writeFile(
      join(dir, "mserve.yaml"),
      'name: fromyaml\nversion: "2"\nhandler: handler.py\nserialized-file: model.pt\nextra-files: [vocab.json]\ntargets:\n  torchserve:\n    archive-format: zip-store\n    export-path: out\n',
    );
    const r = await mserve(["package", "-o", "json"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.path).toBe(join(dir, "out", "fromyaml.mar"));
    expect(doc.format).toBe("zip-store");
    expect(doc.entries.every((e: { method: string }) => e.method === "stored")).toBe(true);
    const flagged = await mserve(["package", "-v", "9", "--archive-format", "tgz", "-o", "json"], {
      cwd: dir,
    });
    expect(JSON.parse(flagged.stdout).path).toBe(join(dir, "out", "fromyaml.tar.gz"));
    expect(JSON.parse(flagged.stdout).manifest.model.modelVersion).toBe("9");
  });

  it("--dry-run lists the plan and writes nothing", async () => {
    const r = await mserve([...base, "--export-path", "dist", "--dry-run", "-o", "json"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).entries).toHaveLength(3);
    await expect(stat(join(dir, "dist"))).rejects.toThrow();
  });

  it.each([
    [
      "a missing serialized file",
      ["--serialized-file", "nope.pt"],
      3,
      /--serialized-file not found: .*nope\.pt/,
    ],
    ["a name failing the regex", ["--model-name", "-bad name"], 3, /model name "-bad name" is not allowed/],
    ["a name with ..", ["--model-name", "a..b"], 3, /contains "\.\."/],
    ["an empty version", ["-v", ""], 3, /version is missing or empty/],
    ["a version that is not URL-safe", ["-v", "1 beta/2"], 3, /not URL-safe/],
    ["an unknown handler", ["--handler", "no_such_handler"], 3, /unknown handler "no_such_handler"/],
    [
      "a missing extra file",
      ["--extra-files", "vocab.json,missing.txt"],
      3,
      /--extra-files missing\.txt not found/,
    ],
  ])("rejects %s with a clear error and no output", async (_label, extra, code, message) => {
    const r = await mserve([...base, "--export-path", "dist", ...extra], { cwd: dir });
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: /);
    expect(r.stdout).toBe("");
    await expect(stat(join(dir, "dist"))).rejects.toThrow();
  });

  it("rejects two files with the same basename", async () => {
    await mkdir(join(dir, "a"));
    await writeFile(join(dir, "a", "vocab.json"), "{}");
    const r = await mserve([...base, "--extra-files", "vocab.json,a/vocab.json", "--export-path", "dist"], {
      cwd: dir,
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/two files would be stored as "vocab.json"/);
    expect(r.stderr).toMatch(/--preserve-paths/);
    const preserved = await mserve(
      [
        ...base,
        "--extra-files",
        "vocab.json,a/vocab.json",
        "--preserve-paths",
        "--export-path",
        "dist",
        "-o",
        "json",
      ],
      { cwd: dir },
    );
    expect(preserved.exitCode).toBe(0);
    expect(JSON.parse(preserved.stdout).entries.map((e: { name: string }) => e.name)).toContain(
      "a/vocab.json",
    );
  });

  it("refuses an existing output without --force (exit 5) and replaces it with --force", async () => {
    expect((await mserve([...base, "--export-path", "dist"], { cwd: dir })).exitCode).toBe(0);
    const before = await readFile(join(dir, "dist", "demo.mar"));
    const again = await mserve([...base, "--export-path", "dist", "-v", "2"], { cwd: dir });
    expect(again.exitCode).toBe(5);
    expect(again.stderr).toMatch(/already exists/);
    expect(again.stderr).toMatch(/--force/);
    expect(await readFile(join(dir, "dist", "demo.mar"))).toEqual(before);
    const forced = await mserve([...base, "--export-path", "dist", "-v", "2", "-f"], { cwd: dir });
    expect(forced.exitCode).toBe(0);
    expect(await listing(join(dir, "dist"))).toEqual(["demo.mar"]);
  });

  it("rejects an export path that is a file or cannot be written", async () => {
    await writeFile(join(dir, "taken"), "x");
    const r = await mserve([...base, "--export-path", "taken"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/export path .*taken exists and is not a folder/);
    const readOnly = join(dir, "ro");
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    const ro = await mserve([...base, "--export-path", "ro/sub"], { cwd: dir });
    await chmod(readOnly, 0o755);
    // As root every folder is writable, so only check the message when the OS refused.
    if (ro.exitCode !== 0) {
      expect(ro.exitCode).toBe(3);
      expect(ro.stderr).toMatch(/export path/);
    }
    const underFile = await mserve([...base, "--export-path", "taken/sub"], { cwd: dir });
    expect(underFile.exitCode).toBe(3);
    expect(underFile.stderr).toMatch(/taken\/sub/);
  });

  it("reports unknown mserve.yaml keys with line and column", async () => {
    await writeFile(
      join(dir, "mserve.yaml"),
      'name: demo\nversion: "1"\nhandlr: handler.py\ntargets:\n  torchserve:\n    format: tgz\n',
    );
    const r = await mserve(["package"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/mserve\.yaml:3:1: error: unknown key "handlr"/);
    expect(r.stderr).toMatch(/and 1 more/);
    const json = await mserve(["package", "-o", "json"], { cwd: dir });
    const doc = JSON.parse(json.stdout);
    expect(doc.error.code).toBe("INVALID_INPUT");
    expect(doc.error.details.diagnostics).toContainEqual(
      expect.objectContaining({
        message: 'unknown key "format"',
        line: 6,
        column: 5,
        path: "targets.torchserve.format",
      }),
    );
  });

  it("reports missing required options as a usage error", async () => {
    const r = await mserve(["package", "--model-name", "demo"], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/missing -v\/--version .*--handler/);
  });

  it("leaves no partial archive behind when interrupted", async () => {
    const big = join(dir, "big.bin");
    const fh = await import("node:fs/promises").then((fs) => fs.open(big, "w"));
    await fh.truncate(3 * 1024 * 1024 * 1024); // sparse: costs no disk
    await fh.close();
    const child = execa(
      "node",
      [
        binPath,
        ...base,
        "--serialized-file",
        "big.bin",
        "--archive-format",
        "zip-store",
        "--export-path",
        "dist",
      ],
      {
        cwd: dir,
        reject: false,
      },
    );
    // Wait until the temp file exists, then interrupt.
    for (let i = 0; i < 200; i++) {
      const names = await readdir(join(dir, "dist")).catch(() => []);
      if (names.some((n) => n.includes("mserve-tmp"))) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toMatch(/interrupted/);
    expect(await listing(join(dir, "dist"))).toEqual([]);
  });
});
