import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { listZip, openZip, readZipEntry } from "../../../src/archive/zip-reader.js";
import { MserveError } from "../../../src/errors.js";
import { makeZip, type RawZipEntry, zip64Extra } from "../../helpers/make-archives.js";

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mserve-zip-reader-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function zipFile(entries: RawZipEntry[] | Buffer): Promise<string> {
  const path = join(dir, `z${n++}.mar`);
  await writeFile(path, Buffer.isBuffer(entries) ? entries : makeZip(entries));
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<MserveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MserveError);
  expect((error as MserveError).hint).toEqual(expect.any(String));
  return error as MserveError;
}

describe("listZip", () => {
  it("reports central-directory facts per entry", async () => {
    const path = await zipFile([
      { name: "MAR-INF/MANIFEST.json", data: "{}", method: 8 },
      { name: "run.sh", data: "#!/bin/sh", mode: 0o100755 },
      { name: "dir/", mode: 0o40755 },
      { name: "link", data: "target", mode: 0o120777 },
      { name: "weird", data: "x", method: 12 },
    ]);
    const { entries } = await listZip(path);
    expect(entries.map((e) => [e.name, e.method, e.isDirectory, e.isSymlink])).toEqual([
      ["MAR-INF/MANIFEST.json", "deflated", false, false],
      ["run.sh", "stored", false, false],
      ["dir/", "stored", true, false],
      ["link", "stored", false, true],
      ["weird", 12, false, false],
    ]);
    const manifest = entries[0];
    expect(manifest).toMatchObject({
      uncompressedSize: 2,
      crc32: crc32("{}"),
      encrypted: false,
      zip64: false,
    });
    expect(manifest?.compressedSize).toBeGreaterThan(0);
    expect(manifest?.mtime).toBeInstanceOf(Date);
    expect(entries[1]?.mode).toBe(0o100755);
    expect(entries[1]?.executable).toBe(true);
    expect(entries[3]?.mode).toBe(0o120777);
    expect(manifest).not.toHaveProperty("raw");
  });

  it("reads the LOCAL header: data-descriptor flag on a STORED entry, as Java sees it", async () => {
    const path = await zipFile([
      { name: "stored-dd.bin", data: "abc", flags: 0x8 },
      { name: "local-only.bin", data: "abc", localFlags: 0x8 },
      { name: "deflated-dd.bin", data: "abc", method: 8, flags: 0x8 },
      { name: "plain.bin", data: "abc" },
    ]);
    const { entries } = await listZip(path);
    expect(entries.map((e) => [e.name, e.local.method, e.local.dataDescriptor, e.local.flags])).toEqual([
      ["stored-dd.bin", 0, true, 8],
      ["local-only.bin", 0, true, 8],
      ["deflated-dd.bin", 8, true, 8],
      ["plain.bin", 0, false, 0],
    ]);
  });

  it("reports the local name, the zip64 extra and encryption", async () => {
    const path = await zipFile([
      { name: "safe.txt", localName: "../evil", data: "x" },
      { name: "big.bin", data: "x", extra: zip64Extra(1, 1) },
      { name: "secret", data: "x".repeat(13), declaredSize: 1, flags: 1 },
    ]);
    const { entries } = await listZip(path);
    expect(entries[0]?.local.name).toBe("../evil");
    expect(entries[1]).toMatchObject({ zip64: true, local: { zip64: true } });
    expect(entries[2]).toMatchObject({ encrypted: true, local: { flags: 1 } });
  });

  it("lists hostile names verbatim instead of failing, so validate can report them all", async () => {
    const names = ["../evil", "/etc/x", "C:\\x", "C:/x", "..\\evil", "a/../../b"];
    const { entries } = await listZip(await zipFile(names.map((name) => ({ name, data: "x" }))));
    expect(entries.map((e) => e.name)).toEqual(names);
  });

  it("documents why: yauzl with decodeStrings aborts the whole listing at the first bad name", async () => {
    const path = await zipFile([
      { name: "ok", data: "x" },
      { name: "..\\evil", data: "x" },
    ]);
    const zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      decodeStrings: true,
      strictFileNames: false,
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const entry of zip.eachEntry()) seen.push(entry.fileName);
      })(),
    ).rejects.toThrow("invalid relative path: ../evil"); // backslashes were turned into "/" first
    expect(seen).toEqual(["ok"]);
  });

  it("lists an empty zip (end record only)", async () => {
    const path = await zipFile(makeZip([]));
    expect((await listZip(path)).entries).toEqual([]);
  });

  it("refuses truncated and random files with INVALID_INPUT and a hint", async () => {
    const good = makeZip([{ name: "a.txt", data: "hello ".repeat(200) }]);
    const half = await zipFile(good.subarray(0, good.length / 2));
    const e = await rejection(listZip(half));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toMatch(
      /is not a valid zip archive \(End of central directory record signature not found/,
    );
    expect(e.hint).toMatch(/truncated/);
    // Central directory intact, local header gone: the cut is in the data.
    const noLocal = Buffer.from(good);
    noLocal.fill(0, 0, 30);
    expect((await rejection(listZip(await zipFile(noLocal)))).message).toMatch(
      /invalid local file header signature/,
    );
    const random = await zipFile(Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(500, 7)]));
    expect((await rejection(listZip(random))).code).toBe("INVALID_INPUT");
  });

  it("reports a missing file by name", async () => {
    const e = await rejection(listZip(join(dir, "nope.mar")));
    expect(e.message).toMatch(/archive not found: .*nope\.mar/);
  });
});

describe("readZipEntry", () => {
  it("reads one entry by name without extracting the rest", async () => {
    const path = await zipFile([
      { name: "weights.bin", data: Buffer.alloc(200_000, 1), method: 8 },
      { name: "MAR-INF/MANIFEST.json", data: '{"runtime":"python"}', method: 8 },
    ]);
    expect((await readZipEntry(path, "MAR-INF/MANIFEST.json", 1024)).toString()).toBe('{"runtime":"python"}');
  });

  it("works on an opened zip too (the form read-artifact uses)", async () => {
    const zip = await openZip(await zipFile([{ name: "a", data: "AAA" }]));
    try {
      const entry = zip.entries[0];
      if (!entry) throw new Error("no entry");
      expect((await readZipEntry(zip, entry, 10)).toString()).toBe("AAA");
    } finally {
      zip.close();
    }
  });

  it("refuses entries bigger than maxBytes, missing entries and lying sizes", async () => {
    const path = await zipFile([
      { name: "big", data: "x".repeat(100) },
      { name: "bomb", data: Buffer.alloc(5 << 20), method: 8, declaredSize: 10 },
      { name: "secret", data: "x".repeat(13), declaredSize: 1, flags: 1 },
    ]);
    const big = await rejection(readZipEntry(path, "big", 50));
    expect(big).toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/big is 100 bytes, more than the 50/),
    });
    expect(await rejection(readZipEntry(path, "nope", 50))).toMatchObject({ code: "NOT_FOUND" });
    const bomb = await rejection(readZipEntry(path, "bomb", 1000));
    expect(bomb).toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/"bomb".*zip bomb/) });
    expect(await rejection(readZipEntry(path, "secret", 1000))).toMatchObject({
      message: expect.stringMatching(/encrypted/),
    });
  });
});
