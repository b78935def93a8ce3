import { randomBytes } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mserve, tempProject } from "../helpers/cli.js";
import { makeZip, zerosTgz, zerosZip } from "../helpers/make-archives.js";

/** Weights deflate a little (~1.8:1, so `package` deflates them), never like a constant fill. */
const WEIGHTS = randomBytes(2 << 20).map((b, i) => (i % 2 ? b : 0));
let dir: string;
let cleanup: () => Promise<void>;
let archive: string;
let packaged: { sha256: string; bytes: number };

beforeEach(async () => {
  ({ dir, cleanup } = await tempProject());
  await writeFile(join(dir, "handler.py"), "def handle(data, context):\n    return data\n");
  // Weights look random to deflate (a constant fill inflates 1000:1, which unpack refuses as a bomb).
  await writeFile(join(dir, "model.pt"), WEIGHTS);
  const r = await mserve(
    [
      "package",
      "--model-name",
      "demo",
      "-v",
      "1",
      "--handler",
      "handler.py",
      "--serialized-file",
      "model.pt",
      "-o",
      "json",
    ],
    { cwd: dir },
  );
  packaged = JSON.parse(r.stdout);
  archive = join(dir, "demo.mar");
});
afterEach(() => cleanup());

const manifestJson = JSON.stringify({
  createdOn: "x",
  runtime: "python",
  model: { modelName: "m", handler: "h.py", modelVersion: "1" },
  archiverVersion: "0.12.0",
});

describe("mserve inspect", () => {
  it("reports manifest, entries and the same sha256 as package, in JSON", async () => {
    const r = await mserve(["inspect", "demo.mar", "-o", "json"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      kind: "zip",
      sha256: packaged.sha256,
      bytes: packaged.bytes,
      manifest: { model: { modelName: "demo" } },
    });
    expect(doc.entries).toContainEqual({
      name: "model.pt",
      size: 2 << 20,
      compressedSize: expect.any(Number),
      method: "deflated",
    });
  });

  it("fails clearly on a truncated archive", async () => {
    const bytes = await readFile(archive);
    await writeFile(join(dir, "cut.mar"), bytes.subarray(0, bytes.length - 100));
    const r = await mserve(["inspect", "cut.mar"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/cut\.mar is not a valid zip archive/);
    expect(r.stderr).toMatch(/hint: .*truncated/);
    const missing = await mserve(["inspect", "nope.mar", "-o", "json"], { cwd: dir });
    expect(missing.exitCode).toBe(3);
    expect(JSON.parse(missing.stdout).error.message).toMatch(/archive not found/);
  });
});

describe("mserve validate", () => {
  it("passes what mserve packaged", async () => {
    const r = await mserve(["validate", "demo.mar", "-o", "json"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, diagnostics: [] });
  });

  it("lists every problem and exits 3", async () => {
    const bad = makeZip([
      { name: "MAR-INF/MANIFEST.json", data: manifestJson.replace('"python"', '"java"') },
      { name: "weights.bin", data: "x", flags: 0x8 },
    ]);
    await writeFile(join(dir, "bad.mar"), bad);
    const text = await mserve(["validate", "bad.mar"], { cwd: dir });
    expect(text.exitCode).toBe(3);
    expect(text.stdout).toMatch(/error \[runtime\]/);
    expect(text.stdout).toMatch(/error \[handler\]/);
    expect(text.stdout).toMatch(/error \[stored-with-data-descriptor\]/);
    expect(text.stderr).toMatch(/3 error\(s\)/);
    const json = await mserve(["validate", "bad.mar", "-o", "json"], { cwd: dir });
    const doc = JSON.parse(json.stdout);
    expect(doc.error.code).toBe("INVALID_INPUT");
    expect(doc.error.details.diagnostics.map((d: { rule: string }) => d.rule).sort()).toEqual([
      "handler",
      "runtime",
      "stored-with-data-descriptor",
    ]);
  });

  it("reports a missing manifest and a corrupted archive", async () => {
    await writeFile(join(dir, "empty.mar"), makeZip([{ name: "a.txt", data: "a" }]));
    const r = await mserve(["validate", "empty.mar"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/\[manifest-missing\]/);
    const bytes = await readFile(archive);
    bytes.writeUInt32LE(0xdeadbeef, bytes.length - 22); // break the end-of-central-directory signature
    await writeFile(join(dir, "broken.mar"), bytes);
    const broken = await mserve(["validate", "broken.mar"], { cwd: dir });
    expect(broken.exitCode).toBe(3);
    expect(broken.stderr).toMatch(/not a valid zip archive/);
  });
});

describe("mserve unpack", () => {
  it("extracts what package wrote", async () => {
    const r = await mserve(["unpack", "demo.mar", "-d", "out", "-o", "json"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "zip", files: 3 });
    expect((await readFile(join(dir, "out", "model.pt"))).equals(WEIGHTS)).toBe(true);
  });

  it.each([
    ["zip-slip", [{ name: "../../evil.txt", data: "x" }], /'\.\.' segment/],
    ["an absolute path", [{ name: "/tmp/evil.txt", data: "x" }], /absolute path/],
    [
      "a symlink escape",
      [
        { name: "link", data: "/", mode: 0o120777 },
        { name: "link/evil.txt", data: "x" },
      ],
      /symlink/,
    ],
    [
      "a zip bomb",
      [{ name: "bomb", data: Buffer.alloc(8 << 20), method: 8 as const, declaredSize: 10 }],
      /zip bomb/,
    ],
  ])("refuses %s and writes nothing", async (_label, entries, message) => {
    await writeFile(join(dir, "evil.mar"), makeZip(entries));
    const before = (await readdir(dir)).sort();
    const r = await mserve(["unpack", "evil.mar", "-o", "out"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint:/);
    expect((await readdir(dir)).sort()).toEqual(before);
    await expect(stat(join(dir, "..", "evil.txt"))).rejects.toThrow();
  });

  it("refuses a 1 GiB zero-filled entry (1000:1) in unpack and validate, exit 3, writing nothing", async () => {
    // ~1 MiB each: the zeros are never deflated, nor inflated past a few MiB.
    await writeFile(join(dir, "bomb.mar"), zerosZip("weights.bin", 1024));
    await writeFile(join(dir, "bomb.tar.gz"), zerosTgz("bomb/weights.bin", 1024));
    for (const archive of ["bomb.mar", "bomb.tar.gz"]) {
      const before = (await readdir(dir)).sort();
      const unpack = await mserve(["unpack", archive, "-o", "out"], { cwd: dir });
      expect(unpack.exitCode, unpack.stderr).toBe(3);
      expect(unpack.stderr).toMatch(/inflates \d+:1, more than the limit of 100:1/);
      expect((await readdir(dir)).sort()).toEqual(before);
      const validate = await mserve(["validate", archive], { cwd: dir });
      expect(validate.exitCode, validate.stderr).toBe(3);
      expect(validate.stderr).toMatch(/inflates \d+:1/);
    }
    // Raised for an archive the user trusts: 64 MiB of zeros (~1000:1) unpacks, and validate goes past the bound.
    await writeFile(join(dir, "trusted.mar"), zerosZip("weights.bin", 64));
    expect((await mserve(["unpack", "trusted.mar", "-d", "bounded"], { cwd: dir })).exitCode).toBe(3);
    const raised = await mserve(
      ["unpack", "trusted.mar", "-d", "raised", "--max-compression-ratio", "2000", "-o", "json"],
      {
        cwd: dir,
      },
    );
    expect(raised.exitCode, raised.stderr).toBe(0);
    expect(JSON.parse(raised.stdout)).toMatchObject({ bytes: 64 * 1024 * 1024 });
    const small = await mserve(
      ["unpack", "trusted.mar", "-d", "small", "--ratio-min-bytes", String(128 * 1024 * 1024)],
      {
        cwd: dir,
      },
    );
    expect(small.exitCode, small.stderr).toBe(0);
    const validate = await mserve(["validate", "trusted.mar", "--max-compression-ratio", "0"], { cwd: dir });
    expect(validate.stdout + validate.stderr).not.toMatch(/inflates/);
  });

  it("bounds size and entries, with flags to raise them", async () => {
    const small = await mserve(["unpack", "demo.mar", "-o", "out", "--max-bytes", "1MiB"], { cwd: dir });
    expect(small.exitCode).toBe(3);
    expect(small.stderr).toMatch(/--max-bytes/);
    const few = await mserve(["unpack", "demo.mar", "-o", "out", "--max-entries", "2"], { cwd: dir });
    expect(few.exitCode).toBe(3);
    expect(few.stderr).toMatch(/more than 2 entries/);
    const bad = await mserve(["unpack", "demo.mar", "-o", "out", "--max-bytes", "lots"], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(
      (await mserve(["unpack", "demo.mar", "-o", "out", "--max-bytes", "3MiB"], { cwd: dir })).exitCode,
    ).toBe(0);
  });

  it("refuses a non-empty target without --force (exit 5)", async () => {
    // `-o DIR` is the old spelling of -d/--dest: still honoured, with a note on stderr.
    const old = await mserve(["unpack", "demo.mar", "-o", "out"], { cwd: dir });
    expect(old.exitCode).toBe(0);
    expect(old.stderr).toMatch(/-o out is the old spelling of --dest/);
    const again = await mserve(["unpack", "demo.mar", "-o", "out"], { cwd: dir });
    expect(again.exitCode).toBe(5);
    expect((await mserve(["unpack", "demo.mar", "-o", "out", "-f"], { cwd: dir })).exitCode).toBe(0);
  });
});
