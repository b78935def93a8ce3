import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ExtractOptions, extractArchive } from "../../../src/archive/extract.js";
import { MserveError } from "../../../src/errors.js";
import { makeTgz, makeZip, type RawTarEntry, type RawZipEntry } from "../../helpers/make-archives.js";

/**
 * Layout per test: <root>/in/ holds the archive, <root>/work/out is the
 * destination. "../evil" from the destination lands in <root>/work, so a
 * recursive listing of <root> before and after shows any escape or leftover.
 */
let root: string;
let dest: string;
const limits = { maxTotalBytes: 1 << 20, maxEntries: 100 };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "mserve-extract-"));
  await mkdir(join(root, "in"));
  await mkdir(join(root, "work"));
  dest = join(root, "work", "out");
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map((e) => relative(root, join(dir, e))).sort();
}

const zipFile = async (entries: RawZipEntry[], name = "a.mar") => {
  const path = join(root, "in", name);
  await writeFile(path, makeZip(entries));
  return path;
};
const tgzFile = async (entries: RawTarEntry[], name = "a.tar.gz") => {
  const path = join(root, "in", name);
  await writeFile(path, await makeTgz(entries));
  return path;
};

/** A refused archive must leave nothing at all: no dest, no temp folder, nothing outside. */
async function expectRefused(
  archive: string,
  message: RegExp,
  options: { code?: string; target?: string; extra?: Partial<ExtractOptions> } = {},
): Promise<MserveError> {
  const target = options.target ?? dest;
  const before = await tree(root);
  const error = await extractArchive(archive, target, { ...limits, ...options.extra }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MserveError);
  const e = error as MserveError;
  expect(e.code).toBe(options.code ?? "INVALID_INPUT");
  expect(e.message).toMatch(message);
  expect(e.hint).toEqual(expect.any(String));
  expect(e.hint?.length).toBeGreaterThan(5);
  expect(await tree(root)).toEqual(before);
  expect((await readdir(join(root, "work"))).filter((n) => n.includes("mserve-tmp"))).toEqual([]);
  return e;
}

describe("extractArchive: valid archives", () => {
  it("extracts a zip byte for byte, with folders, modes and no setuid", async () => {
    const data = randomBytes(50_000);
    const zip = await zipFile([
      { name: "a.txt", data: "hello" },
      { name: "sub/", mode: 0o40755 },
      { name: "sub/b.bin", data, method: 8 },
      { name: "./run.sh", data: "#!/bin/sh\n", mode: 0o104755 },
    ]);
    const r = await extractArchive(zip, dest, limits);
    expect(r).toEqual({ kind: "zip", destDir: dest, entries: 4, files: 3, bytes: 5 + 50_000 + 10 });
    expect(await readFile(join(dest, "sub/b.bin"))).toEqual(data);
    expect(await readFile(join(dest, "a.txt"), "utf8")).toBe("hello");
    expect((await stat(join(dest, "run.sh"))).mode & 0o7777).toBe(0o755 & ~process.umask());
    expect((await stat(join(dest, "a.txt"))).mode & 0o7777).toBe(0o644 & ~process.umask());
    expect(await readdir(join(root, "work"))).toEqual(["out"]);
  });

  it("extracts a tgz, optionally stripping the first folder the way TorchServe does", async () => {
    const weights = randomBytes(70_000);
    const entries: RawTarEntry[] = [
      { name: "m/", type: "directory" },
      { name: "m/MAR-INF/MANIFEST.json", data: "{}" },
      { name: "m/w.bin", data: weights },
      { name: "top.txt", data: "kept by TorchServe" },
    ];
    const tgz = await tgzFile(entries);
    const plain = await extractArchive(tgz, join(root, "work", "plain"), limits);
    expect(plain).toMatchObject({ kind: "tgz", files: 3, bytes: 2 + 70_000 + 18 });
    expect(await readFile(join(root, "work", "plain", "m", "w.bin"))).toEqual(weights);

    const ts = await extractArchive(tgz, join(root, "work", "ts"), { ...limits, stripFirstComponent: true });
    expect(ts.files).toBe(3);
    expect(await readFile(join(root, "work", "ts", "MAR-INF", "MANIFEST.json"), "utf8")).toBe("{}");
    expect(await readFile(join(root, "work", "ts", "top.txt"), "utf8")).toBe("kept by TorchServe");

    const tarLike = await extractArchive(tgz, join(root, "work", "tar"), { ...limits, stripComponents: 1 });
    expect(tarLike.files).toBe(2); // tar --strip-components drops top-level files
    expect((await readdir(join(root, "work", "tar"))).sort()).toEqual(["MAR-INF", "w.bin"]);
  });

  it("creates missing parents of the destination, and removes them again on failure", async () => {
    const good = await zipFile([{ name: "x", data: "x" }], "good.mar");
    await extractArchive(good, join(root, "work", "p", "q", "out"), limits);
    expect(await readFile(join(root, "work", "p", "q", "out", "x"), "utf8")).toBe("x");
    const bomb = await zipFile([{ name: "b", data: Buffer.alloc(1 << 20), method: 8, declaredSize: 10 }]);
    await expectRefused(bomb, /zip bomb/, { target: join(root, "work", "new", "deep", "out") });
  });

  it("accepts an empty destination folder and replaces a full one only with force", async () => {
    const zip = await zipFile([{ name: "new.txt", data: "new" }]);
    await mkdir(dest);
    await extractArchive(zip, dest, limits);
    expect(await readdir(dest)).toEqual(["new.txt"]);
    const e = await expectRefused(zip, /exists and is not empty/, { code: "CONFLICT" });
    expect(e.hint).toMatch(/--force/);
    expect(e.exitCode).toBe(5);
    await writeFile(join(dest, "old.txt"), "old");
    await extractArchive(zip, dest, { ...limits, force: true });
    expect(await readdir(dest)).toEqual(["new.txt"]);
    expect(await readdir(join(root, "work"))).toEqual(["out"]);
  });

  it("refuses a destination that is a file, even with force", async () => {
    const zip = await zipFile([{ name: "x", data: "x" }]);
    await writeFile(dest, "I am a file");
    await expectRefused(zip, /exists and is not a folder/, { code: "CONFLICT", extra: { force: true } });
  });
});

describe("extractArchive: hostile zips", () => {
  it.each([
    ["../evil", /'\.\.' segment/],
    ["a/../../evil", /'\.\.' segment/],
    ["ok/../../../evil", /'\.\.' segment/],
    ["/ABSOLUTE", /absolute path/],
    ["C:\\evil", /backslash/],
    ["C:/evil", /drive letter/],
    ["C:evil", /drive letter/],
    ["..\\evil", /backslash/],
    ["a\\..\\..\\evil", /backslash/],
    ["nul\0byte", /NUL byte/],
    ["", /empty name/],
  ])("refuses the entry %j and writes nothing", async (name, message) => {
    const archive = await zipFile([
      { name: "ok.txt", data: "fine" },
      { name: name === "/ABSOLUTE" ? join(root, "abs-evil") : name, data: "pwned" },
    ]);
    const e = await expectRefused(archive, message);
    expect(e.message).toMatch(/unsafe entry/);
  });

  it("refuses a symlink entry pointing outside", async () => {
    const archive = await zipFile([{ name: "link", data: "../../../etc", mode: 0o120777 }]);
    await expectRefused(archive, /symlink entries are not allowed/);
  });

  it("refuses a symlink followed by a file written through it", async () => {
    const archive = await zipFile([
      { name: "link", data: join(root, "work"), mode: 0o120777 },
      { name: "link/evil", data: "pwned" },
    ]);
    await expectRefused(archive, /"link".*symlink entries are not allowed/);
  });

  it.each([
    [
      [
        { name: "a.txt", data: "1" },
        { name: "a.txt", data: "2" },
      ],
      /duplicate entry "a.txt"/,
    ],
    [
      [
        { name: "a.txt", data: "1" },
        { name: "./a.txt", data: "2" },
      ],
      /duplicate entry "a.txt"/,
    ],
    [
      [
        { name: "a", data: "1" },
        { name: "a/b", data: "2" },
      ],
      /under the file entry "a"/,
    ],
    [
      [
        { name: "a/b", data: "2" },
        { name: "a", data: "1" },
      ],
      /both a file and a folder/,
    ],
    [
      [
        { name: "a", data: "1" },
        { name: "a/", mode: 0o40755 },
      ],
      /both a file and a folder/,
    ],
  ])("refuses clashing names %#", async (entries, message) => {
    await expectRefused(await zipFile(entries), message);
  });

  it("bounds the entry count, naming --max-entries", async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, data: "x" }));
    const e = await expectRefused(await zipFile(many), /more than 100 entries/);
    expect(e.hint).toMatch(/--max-entries/);
  });

  it("bounds the declared total size, naming --max-bytes", async () => {
    const big = await zipFile([
      { name: "a", data: Buffer.alloc(600_000), method: 8 },
      { name: "b", data: Buffer.alloc(600_000), method: 8 },
    ]);
    const e = await expectRefused(big, /declares more than the limit of 1048576 bytes/);
    expect(e.hint).toMatch(/--max-bytes/);
  });

  it("catches a zip bomb that declares 100 bytes and inflates to 10 MB", async () => {
    const bomb = await zipFile([
      { name: "ok.txt", data: "fine" },
      { name: "bomb", data: Buffer.alloc(10 << 20), method: 8, declaredSize: 100 },
    ]);
    await expectRefused(bomb, /"bomb".*(too many bytes|zip bomb)/, { extra: { maxTotalBytes: 100 << 20 } });
  });

  it("catches a stored entry whose sizes disagree", async () => {
    await expectRefused(await zipFile([{ name: "s", data: "abcdef", declaredSize: 3 }]), /size mismatch/);
  });

  it("refuses encrypted entries, unknown methods, and local names that differ from the central ones", async () => {
    await expectRefused(
      await zipFile([
        // stored + encrypted: yauzl wants compressed = uncompressed + 12 (the encryption header)
        { name: "e", data: "x".repeat(24), declaredSize: 12, flags: 1 },
      ]),
      /encrypted/,
    );
    await expectRefused(await zipFile([{ name: "z", data: "x", method: 12 }]), /compression method 12/);
    await expectRefused(
      await zipFile([{ name: "safe.txt", localName: "../evil", data: "x" }]),
      /local header names it "..\/evil"/,
    );
  });

  it("refuses truncated and random files", async () => {
    const good = makeZip([{ name: "a.txt", data: "hello world ".repeat(100) }]);
    const half = join(root, "in", "half.mar");
    await writeFile(half, good.subarray(0, good.length / 2));
    const e = await expectRefused(half, /half\.mar is not a valid zip archive/);
    expect(e.hint).toMatch(/truncated/);
    const noise = join(root, "in", "noise.mar");
    await writeFile(noise, Buffer.concat([Buffer.from("PK\x03\x04"), randomBytes(300)]));
    await expectRefused(noise, /not a valid zip archive/);
    const text = join(root, "in", "text.mar");
    await writeFile(text, "just text");
    await expectRefused(text, /text\.mar is neither a zip \(\.mar\) nor a gzip'd tar archive/);
  });

  it("reports a missing archive and a folder given as archive", async () => {
    await expectRefused(join(root, "in", "nope.mar"), /archive not found/);
    await expectRefused(join(root, "in"), /is a folder, not an archive/);
  });
});

describe("extractArchive: hostile tgz", () => {
  it.each([
    [[{ name: "../x", data: "x" }], /'\.\.' segment/],
    [[{ name: "m/../../x", data: "x" }], /'\.\.' segment/],
    [[{ name: "/ABSOLUTE", data: "x" }], /absolute path/],
    [[{ name: "m\\..\\..\\x", data: "x" }], /backslash/],
    [[{ name: "l", type: "symlink" as const, linkname: "/etc" }], /symlink entries are not allowed/],
    [
      [
        { name: "l", type: "symlink" as const, linkname: ".." },
        { name: "l/evil", data: "x" },
      ],
      /symlink entries are not allowed/,
    ],
    [[{ name: "h", type: "link" as const, linkname: "/etc/passwd" }], /hard link entries are not allowed/],
    [[{ name: "p", type: "fifo" as const }], /special file/],
    [
      [
        { name: "m/a", data: "1" },
        { name: "m/a", data: "2" },
      ],
      /duplicate entry/,
    ],
  ])("refuses hostile entries %#", async (entries, message) => {
    const fixed = entries.map((e) => (e.name === "/ABSOLUTE" ? { ...e, name: join(root, "abs-evil") } : e));
    await expectRefused(await tgzFile(fixed), message);
  });

  it("refuses duplicates created by stripping the first folder", async () => {
    const tgz = await tgzFile([
      { name: "a/x", data: "1" },
      { name: "b/x", data: "2" },
    ]);
    await expectRefused(tgz, /duplicate entry "x"/, { extra: { stripFirstComponent: true } });
  });

  it("bounds entries and bytes, counting while it lists", async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `m/f${i}`, data: "x" }));
    await expectRefused(await tgzFile(many, "many.tgz"), /more than 100 entries/);
    const big = await tgzFile([{ name: "m/big", data: Buffer.alloc(2 << 20) }], "big.tgz");
    await expectRefused(big, /declares more than the limit/);
  });

  it("refuses truncated gzip and corrupt tar data", async () => {
    const tgz = await makeTgz([{ name: "m/x", data: randomBytes(20_000) }]);
    const cut = join(root, "in", "cut.tar.gz");
    await writeFile(cut, tgz.subarray(0, tgz.length / 2));
    const e = await expectRefused(cut, /cut\.tar\.gz is not a valid tar\.gz archive/);
    expect(e.hint).toMatch(/truncated/);
    const noise = join(root, "in", "noise.tar.gz");
    await writeFile(noise, Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(300)]));
    await expectRefused(noise, /not a valid tar\.gz archive/);
  });
});

describe("extractArchive: abort", () => {
  async function expectInterrupted(archive: string) {
    const controller = new AbortController();
    const before = await tree(root);
    let seen = 0;
    const error = await extractArchive(archive, dest, {
      maxTotalBytes: 1 << 30,
      maxEntries: 100,
      signal: controller.signal,
      onBytes: (n) => {
        seen += n;
        controller.abort(); // mid-way: while the first entry is streaming
      },
    }).catch((e: unknown) => e);
    expect(seen).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(MserveError);
    expect(error).toMatchObject({
      code: "INTERRUPTED",
      message: expect.stringMatching(/interrupted/),
      hint: expect.any(String),
    });
    expect(await tree(root)).toEqual(before);
  }

  it("leaves nothing behind when a zip extraction is aborted mid-way", async () => {
    await expectInterrupted(
      await zipFile([
        { name: "a.bin", data: randomBytes(4 << 20) },
        { name: "b.bin", data: randomBytes(1 << 20), method: 8 },
      ]),
    );
  });

  it("leaves nothing behind when a tgz extraction is aborted mid-way", async () => {
    await expectInterrupted(
      await tgzFile([
        { name: "m/a.bin", data: randomBytes(4 << 20) },
        { name: "m/b.bin", data: randomBytes(1 << 20) },
      ]),
    );
  });

  it("does nothing when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const zip = await zipFile([{ name: "a", data: "1" }]);
    await expect(extractArchive(zip, dest, { ...limits, signal: controller.signal })).rejects.toMatchObject({
      code: "INTERRUPTED",
    });
    expect(await readdir(join(root, "work"))).toEqual([]);
  });
});
