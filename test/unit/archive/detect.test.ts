import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectContainer, detectKind } from "../../../src/archive/detect.js";
import { cleanupTempPathsSync, registerTempPath } from "../../../src/archive/temp-paths.js";
import { makeTgz, makeZip } from "../../helpers/make-archives.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mserve-detect-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("detectContainer", () => {
  it("goes by content, not by extension", async () => {
    await writeFile(join(dir, "really-a-tgz.mar"), await makeTgz([{ name: "m/x", data: "x" }]));
    await writeFile(join(dir, "really-a-zip.tar.gz"), makeZip([{ name: "x", data: "x" }]));
    await writeFile(join(dir, "empty.zip"), makeZip([]));
    await mkdir(join(dir, "folder.mar"));
    expect(await detectKind(join(dir, "really-a-tgz.mar"))).toBe("tgz");
    expect(await detectKind(join(dir, "really-a-zip.tar.gz"))).toBe("zip");
    expect(await detectContainer(join(dir, "empty.zip"))).toEqual({ kind: "zip", bytes: 22 });
    expect(await detectKind(join(dir, "folder.mar"))).toBe("folder");
  });

  it.each([
    [
      "page.mar",
      "<html>404</html>",
      /page\.mar is neither a zip \(\.mar\) nor a gzip'd tar archive \(it starts with bytes 3c68746d\)/,
    ],
    ["empty.mar", "", /empty\.mar is neither .* \(it is empty\)/],
    ["one.mar", "P", /starts with bytes 50\)/],
  ])(
    "refuses %s with INVALID_INPUT naming the file and what was expected",
    async (name, content, message) => {
      await writeFile(join(dir, name), content);
      await expect(detectContainer(join(dir, name))).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: expect.stringMatching(message),
        hint: expect.stringMatching(/\.mar, \.zip or \.tar\.gz/),
      });
    },
  );

  it("reports a missing path by name", async () => {
    await expect(detectContainer(join(dir, "nope.mar"))).rejects.toMatchObject({
      message: expect.stringMatching(/archive not found: .*nope\.mar/),
      hint: expect.any(String),
    });
  });
});

describe("temp paths", () => {
  it("removes registered temp folders synchronously on a forced exit", async () => {
    const temp = join(dir, ".out.mserve-tmp-test");
    await mkdir(join(temp, "deep"), { recursive: true });
    await writeFile(join(temp, "deep", "f"), "x");
    registerTempPath(temp);
    cleanupTempPathsSync();
    expect(existsSync(temp)).toBe(false);
    cleanupTempPathsSync(); // idempotent: the set was emptied
  });
});
