import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTgz, readTgzEntries, readTgzEntry, walkTgz } from "../../../src/archive/tgz-reader.js";
import { MserveError } from "../../../src/errors.js";
import { makeTar, makeTgz, type RawTarEntry } from "../../helpers/make-archives.js";

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mserve-tgz-reader-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function tgzFile(entries: RawTarEntry[] | Buffer): Promise<string> {
  const path = join(dir, `t${n++}.tar.gz`);
  await writeFile(path, Buffer.isBuffer(entries) ? entries : await makeTgz(entries));
  return path;
}

const sample: RawTarEntry[] = [
  { name: "m/", type: "directory" },
  { name: "m/MAR-INF/MANIFEST.json", data: '{"a":1}' },
  { name: "m/run.sh", data: "#!/bin/sh", mode: 0o755 },
  { name: "m/link", type: "symlink", linkname: "../outside" },
  { name: "m/hard", type: "link", linkname: "m/run.sh" },
  { name: "m/pipe", type: "fifo" },
];

describe("listTgz", () => {
  it("reports name, size, kind, link target, mode and mtime", async () => {
    const entries = await listTgz(await tgzFile(sample));
    expect(entries.map((e) => [e.name, e.size, e.kind, e.linkname])).toEqual([
      ["m", 0, "directory", undefined],
      ["m/MAR-INF/MANIFEST.json", 7, "file", undefined],
      ["m/run.sh", 9, "file", undefined],
      ["m/link", 0, "symlink", "../outside"],
      ["m/hard", 0, "hardlink", "m/run.sh"],
      ["m/pipe", 0, "other", undefined],
    ]);
    expect(entries[2]).toMatchObject({ mode: 0o755, executable: true, type: "file" });
    expect(entries[1]).toMatchObject({ mode: 0o644, executable: false });
    expect(entries[4]?.type).toBe("link"); // raw tar-stream type kept for older callers
    expect(entries[1]?.mtime).toBeInstanceOf(Date);
  });

  it("refuses a truncated gzip, a corrupt tar and random bytes with INVALID_INPUT", async () => {
    const tgz = await makeTgz([{ name: "m/x", data: Buffer.alloc(50_000, 3) }]);
    const cut = await tgzFile(tgz.subarray(0, tgz.length / 2));
    const e = await listTgz(cut).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(MserveError);
    expect(e).toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/is not a valid tar\.gz archive/),
      hint: expect.stringMatching(/truncated/),
    });
    const tar = await makeTar([{ name: "m/x", data: "hello" }]);
    tar.fill(0x41, 100, 200); // smash the header's mode/uid/size/checksum fields
    await expect(listTgz(await tgzFile(gzipSync(tar)))).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(listTgz(await tgzFile(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3])))).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
  });

  it("passes a visitor's own error through unchanged (not 'corrupt archive')", async () => {
    const boom = new Error("disk full");
    await expect(
      walkTgz(await tgzFile(sample), async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe("readTgzEntry", () => {
  it("reads one entry, refuses big ones, reports missing ones", async () => {
    const path = await tgzFile([...sample, { name: "m/big.bin", data: Buffer.alloc(5000) }]);
    expect((await readTgzEntry(path, "m/MAR-INF/MANIFEST.json", 100)).toString()).toBe('{"a":1}');
    await expect(readTgzEntry(path, "m/big.bin", 100)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/5000 bytes, more than the 100/),
      hint: expect.any(String),
    });
    await expect(readTgzEntry(path, "m/nope", 100)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(readTgzEntry(path, "m/link", 100)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reads several entries in one pass (readTgzEntries)", async () => {
    const found = await readTgzEntries(
      await tgzFile(sample),
      new Set(["m/run.sh", "m/MAR-INF/MANIFEST.json"]),
      100,
    );
    expect([...found.keys()].sort()).toEqual(["m/MAR-INF/MANIFEST.json", "m/run.sh"]);
  });
});
