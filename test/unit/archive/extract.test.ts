import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractArchive } from "../../../src/archive/extract.js";
import { makeTgz, makeZip, type RawTarEntry, type RawZipEntry } from "../../helpers/make-archives.js";

let root: string;
let dest: string;
const limits = { maxTotalBytes: 1 << 20, maxEntries: 100 };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "mserve-extract-"));
  dest = join(root, "out");
});
afterEach(() => rm(root, { recursive: true, force: true }));

const zipFile = async (entries: RawZipEntry[]) => {
  const path = join(root, "a.mar");
  await writeFile(path, makeZip(entries));
  return path;
};
const tgzFile = async (entries: RawTarEntry[]) => {
  const path = join(root, "a.tar.gz");
  await writeFile(path, await makeTgz(entries));
  return path;
};

/** A refused archive must leave nothing at all: no dest, no temp folder, nothing outside. */
async function expectRefused(archive: string, message: RegExp, code = "INVALID_INPUT") {
  const before = (await readdir(root)).sort();
  const error = await extractArchive(archive, dest, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code, message: expect.stringMatching(message), hint: expect.any(String) });
  expect((await readdir(root)).sort()).toEqual(before);
  await expect(readFile("/tmp/evil")).rejects.toThrow();
}

describe("safe extraction", () => {
  it("extracts a valid zip and tgz byte for byte", async () => {
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 256));
    const zip = await zipFile([
      { name: "a.txt", data: "hello" },
      { name: "sub/b.bin", data, method: 8 },
      { name: "sub/", mode: 0o40755 },
    ]);
    const r = await extractArchive(zip, dest, limits);
    expect(r).toMatchObject({ kind: "zip", files: 2, bytes: 5005 });
    expect(await readFile(join(dest, "sub/b.bin"))).toEqual(data);
    const tgz = await tgzFile([
      { name: "m/x.txt", data: "x" },
      { name: "m/d", type: "directory" },
    ]);
    const t = await extractArchive(tgz, join(root, "t"), { ...limits, stripComponents: 1 });
    expect(t.files).toBe(1);
    expect(await readFile(join(root, "t", "x.txt"), "utf8")).toBe("x");
  });

  it.each([
    ["../evil", /'\.\.' segment/],
    ["a/../../evil", /'\.\.' segment/],
    ["/tmp/evil", /absolute path/],
    ["C:\\evil", /backslash|drive letter/],
    ["C:/evil", /drive letter/],
    ["..\\evil", /backslash/],
  ])("refuses the zip entry %j", async (name, message) => {
    await expectRefused(
      await zipFile([
        { name: "ok.txt", data: "ok" },
        { name, data: "pwned" },
      ]),
      message,
    );
  });

  it("refuses symlink entries, including one followed by a file written through it", async () => {
    await expectRefused(
      await zipFile([
        { name: "link", data: "/tmp", mode: 0o120777 },
        { name: "link/evil", data: "x" },
      ]),
      /symlink/,
    );
  });

  it("refuses duplicate names and file/folder clashes", async () => {
    await expectRefused(
      await zipFile([
        { name: "a.txt", data: "1" },
        { name: "a.txt", data: "2" },
      ]),
      /duplicate entry/,
    );
    await expectRefused(
      await zipFile([
        { name: "a", data: "1" },
        { name: "a/b", data: "2" },
      ]),
      /under the file a/,
    );
  });

  it("bounds the entry count and the declared size", async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, data: "x" }));
    await expectRefused(await zipFile(many), /101 entries.*100/);
    await expectRefused(
      await zipFile([{ name: "big", data: Buffer.alloc(10), method: 8, declaredSize: 2 << 20 }]),
      /more than 1048576 bytes/,
    );
  });

  it("catches a zip bomb that lies about its size", async () => {
    const bomb = await zipFile([{ name: "bomb", data: Buffer.alloc(4 << 20), method: 8, declaredSize: 100 }]);
    await expectRefused(bomb, /unsafe archive/);
  });

  it("rejects truncated and random files", async () => {
    const good = makeZip([{ name: "a.txt", data: "hello world" }]);
    const cut = join(root, "cut.mar");
    await writeFile(cut, good.subarray(0, good.length - 10));
    await expectRefused(cut, /not a valid zip archive/);
    const noise = join(root, "noise.mar");
    await writeFile(noise, Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(200, 0x41)]));
    await expectRefused(noise, /not a valid zip archive/);
    const text = join(root, "text.mar");
    await writeFile(text, "just text");
    await expectRefused(text, /neither a zip/);
    const tgz = await makeTgz([{ name: "m/x", data: "x".repeat(5000) }]);
    const cutTgz = join(root, "cut.tar.gz");
    await writeFile(cutTgz, tgz.subarray(0, tgz.length / 2));
    await expectRefused(cutTgz, /not a valid tar\.gz archive/);
  });

  it.each([
    [[{ name: "../x", data: "x" }], /'\.\.' segment/],
    [[{ name: "/tmp/evil", data: "x" }], /absolute path/],
    [[{ name: "l", type: "symlink" as const, linkname: "/tmp" }], /symlink/],
    [[{ name: "h", type: "link" as const, linkname: "/etc/passwd" }], /hard link/],
    [[{ name: "p", type: "fifo" as const }], /special file/],
  ])("refuses hostile tgz entries %#", async (entries, message) => {
    await expectRefused(await tgzFile(entries), message);
  });

  it("refuses a non-empty destination without force, replaces it with force", async () => {
    const zip = await zipFile([{ name: "new.txt", data: "new" }]);
    await mkdir(dest);
    await writeFile(join(dest, "old.txt"), "old");
    await expect(extractArchive(zip, dest, limits)).rejects.toMatchObject({ code: "CONFLICT" });
    await extractArchive(zip, dest, { ...limits, force: true });
    expect(await readdir(dest)).toEqual(["new.txt"]);
    expect((await readdir(root)).sort()).toEqual(["a.mar", "out"]);
  });

  it("stops on abort and leaves nothing", async () => {
    const zip = await zipFile([{ name: "a", data: "1" }]);
    const controller = new AbortController();
    controller.abort();
    await expect(extractArchive(zip, dest, { ...limits, signal: controller.signal })).rejects.toMatchObject({
      code: "INTERRUPTED",
    });
    expect((await readdir(root)).sort()).toEqual(["a.mar"]);
  });
});
