import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandGlob, hasMagic, segmentRegex } from "../../src/archive/glob.js";

describe("glob (Python glob.glob semantics)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mserve-glob-"));
    for (const f of ["a.json", "b.json", ".hidden.json", "c.txt", "sub/d.json", "sub/e.txt", "sub2/f.json"]) {
      await mkdir(join(dir, f, ".."), { recursive: true });
      await writeFile(join(dir, f), "x");
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("detects magic", () => {
    expect(hasMagic("a/*.json")).toBe(true);
    expect(hasMagic("a/b.json")).toBe(false);
  });
  it("translates segments", () => {
    expect(segmentRegex("*.j?on").test("x.json")).toBe(true);
    expect(segmentRegex("[ab].txt").test("c.txt")).toBe(false);
    expect(segmentRegex("[!ab].txt").test("c.txt")).toBe(true);
  });
  it("expands sorted, skips dotfiles, never crosses folders", async () => {
    expect(await expandGlob("*.json", dir)).toEqual(["a.json", "b.json"]);
    expect(await expandGlob(".*.json", dir)).toEqual([".hidden.json"]);
    expect(await expandGlob("sub*/*.json", dir)).toEqual(["sub/d.json", "sub2/f.json"]);
    expect(await expandGlob("nothing/*.x", dir)).toEqual([]);
  });
  it("handles absolute patterns", async () => {
    expect(await expandGlob(join(dir, "sub", "*.txt"), "/")).toEqual([join(dir, "sub", "e.txt")]);
  });
});
