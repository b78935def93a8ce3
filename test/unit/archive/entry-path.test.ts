import { describe, expect, it } from "vitest";
import { checkEntryName } from "../../../src/archive/entry-path.js";

describe("checkEntryName", () => {
  it.each([
    ["model.pt", "model.pt"],
    ["MAR-INF/MANIFEST.json", "MAR-INF/MANIFEST.json"],
    ["./model.pt", "model.pt"],
    ["././a/b", "a/b"],
    ["a/./b", "a/b"],
    ["dir/", "dir"],
    ["a..b/c..", "a..b/c.."],
    ["...", "..."],
    [".hidden", ".hidden"],
    ["ünïcödé/名前.txt", "ünïcödé/名前.txt"],
  ])("accepts %j as %j", (name, normalized) => {
    expect(checkEntryName(name)).toEqual({ ok: true, normalized });
  });

  it.each([
    ["", /empty name/],
    ["a\0b", /NUL/],
    ["/etc/passwd", /absolute/],
    ["//server/share", /absolute/],
    ["C:x", /drive letter/],
    ["C:\\x", /backslash/],
    ["c:/x", /drive letter/],
    ["..\\evil", /backslash/],
    ["a\\b", /backslash/],
    ["..", /'\.\.'/],
    ["../evil", /'\.\.'/],
    ["a/../../evil", /'\.\.'/],
    ["a/..", /'\.\.'/],
    ["./../x", /'\.\.'/],
    ["a//b", /empty path segment/],
    [".", /no path segments/],
    ["./", /no path segments/],
  ])("rejects %j", (name, reason) => {
    const result = checkEntryName(name);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
