import { describe, expect, it } from "vitest";
import { FileRegistry } from "../../../src/registry/file/backend.js";
import {
  formatSpec,
  latestVersion,
  parseRef,
  type RefSpec,
  resolveInEntry,
  resolveRef,
} from "../../../src/registry/resolve.js";
import type { ModelEntry, ModelVersion } from "../../../src/registry/types.js";
import { actor, artifact, rejectsWith, tempDirs, throwsWith } from "./helpers.js";

const temp = tempDirs("resolve");

const version = (v: string): ModelVersion => ({
  id: `id${v.replace(/[^0-9a-z]/gi, "").toLowerCase()}xxxx`,
  name: "intent",
  version: v,
  target: "any",
  kind: "file",
  format: "file",
  artifact: { uri: `blobs/${v}`, sha256: "0".repeat(64), size: 1 },
  createdAt: "2026-01-01T00:00:00.000Z",
  createdBy: "t",
  tags: {},
});

const entry = (versions: string[], aliases: Record<string, string> = {}): ModelEntry => ({
  name: "intent",
  versions: versions.map(version),
  aliases: Object.fromEntries(
    Object.entries(aliases).map(([a, v]) => [a, { version: v, at: "2026-01-01T00:00:00Z", by: "t" }]),
  ),
});

describe("parseRef", () => {
  it.each<[string, string | undefined, RefSpec]>([
    ["intent", undefined, { kind: "name", name: "intent" }],
    ["intent:3", undefined, { kind: "version", name: "intent", version: "3" }],
    ["intent@PROD", undefined, { kind: "alias", name: "intent", alias: "PROD" }],
    ["intent", "PROD", { kind: "pair", name: "intent", word: "PROD" }],
    ["intent", "3", { kind: "pair", name: "intent", word: "3" }],
    ["my.model-2:1.0.0-rc1", undefined, { kind: "version", name: "my.model-2", version: "1.0.0-rc1" }],
  ])("parses %j %j", (text, second, expected) => {
    expect(parseRef(text, second)).toEqual(expected);
  });

  it("parses --id", () => {
    expect(parseRef(undefined, undefined, "abc123defg")).toEqual({ kind: "id", id: "abc123defg" });
  });

  it.each<[string | undefined, string | undefined, string | undefined]>([
    ["intent:", undefined, undefined],
    ["intent@", undefined, undefined],
    ["bad name!", undefined, undefined],
    [":3", undefined, undefined],
    ["@PROD", undefined, undefined],
    ["intent@PROD:3", undefined, undefined],
    ["intent:3", "4", undefined],
    ["intent@PROD", "STG", undefined],
    ["intent", "bad word!", undefined],
    ["intent", undefined, "abc123defg"],
    [undefined, undefined, "NOT-AN-ID"],
    [undefined, undefined, undefined],
  ])("refuses %j %j id=%j (USAGE, exit 2)", (text, second, id) => {
    const error = throwsWith(() => parseRef(text, second, id), "USAGE");
    expect(error.exitCode).toBe(2);
  });

  it("says what to drop when a reference already names a version", () => {
    const error = throwsWith(() => parseRef("intent:3", "PROD"), "USAGE");
    expect(error.message).toContain('drop "PROD"');
  });

  it("formatSpec writes every kind back the way it is typed", () => {
    for (const [text, second] of [["intent"], ["intent:3"], ["intent@PROD"], ["intent", "PROD"]] as const)
      expect(formatSpec(parseRef(text, second))).toBe(second ? `${text} ${second}` : text);
    expect(formatSpec(parseRef(undefined, undefined, "abcd1234"))).toBe("--id abcd1234");
  });
});

describe("resolveInEntry", () => {
  it("resolves a bare name to the latest version in numeric-aware order", () => {
    const e = entry(["2", "10", "9"], { PROD: "2" });
    expect(latestVersion(e)?.version).toBe("10");
    const resolved = resolveInEntry(e, { kind: "name", name: "intent" });
    expect(resolved).toMatchObject({ name: "intent", version: "10" });
    expect(resolved.alias).toBeUndefined();
    expect(resolved.model.version).toBe("10");
  });

  it("resolves versions and aliases, naming the alias for the log", () => {
    const e = entry(["1", "2"], { PROD: "1" });
    expect(resolveInEntry(e, { kind: "version", name: "intent", version: "2" }).version).toBe("2");
    expect(resolveInEntry(e, { kind: "alias", name: "intent", alias: "PROD" })).toMatchObject({
      version: "1",
      alias: "PROD",
    });
    throwsWith(() => resolveInEntry(e, { kind: "version", name: "intent", version: "3" }), "NOT_FOUND");
    throwsWith(() => resolveInEntry(e, { kind: "alias", name: "intent", alias: "STG" }), "NOT_FOUND");
  });

  it("refuses a pair that is both an alias and a different version (USAGE naming both)", () => {
    const e = entry(["1", "PROD"], { PROD: "1" });
    const error = throwsWith(
      () => resolveInEntry(e, { kind: "pair", name: "intent", word: "PROD" }),
      "USAGE",
    );
    expect(error.message).toContain("ambiguous");
    expect(error.message).toContain("alias PROD");
    expect(error.message).toContain("version 1");
    expect(error.message).toContain("version PROD");
    expect(error.hint).toContain("intent@PROD");
    expect(error.hint).toContain("intent:PROD");
  });

  it("accepts a pair whose alias and version agree", () => {
    const e = entry(["1", "PROD"], { PROD: "PROD" });
    expect(resolveInEntry(e, { kind: "pair", name: "intent", word: "PROD" })).toMatchObject({
      version: "PROD",
      alias: "PROD",
    });
  });

  it("resolves a pair to the alias, else falls back to the version", () => {
    const e = entry(["1", "2"], { PROD: "1" });
    expect(resolveInEntry(e, { kind: "pair", name: "intent", word: "PROD" })).toMatchObject({
      version: "1",
      alias: "PROD",
    });
    const byVersion = resolveInEntry(e, { kind: "pair", name: "intent", word: "2" });
    expect(byVersion.version).toBe("2");
    expect(byVersion.alias).toBeUndefined();
  });

  it("refuses a pair that is neither, suggesting aliases and versions", () => {
    const e = entry(["1", "2"], { PROD: "1" });
    const error = throwsWith(
      () => resolveInEntry(e, { kind: "pair", name: "intent", word: "PRD" }),
      "NOT_FOUND",
    );
    expect(error.message).toContain('no alias or version "PRD"');
    expect((error.details as { nearest: string[] }).nearest).toContain("PROD");
  });

  it("reports an alias pointing at a missing version as an internal error", () => {
    const e = entry(["1"], { PROD: "7" });
    throwsWith(() => resolveInEntry(e, { kind: "alias", name: "intent", alias: "PROD" }), "INTERNAL");
  });
});

describe("resolveRef", () => {
  it("resolves names and ids against a FileRegistry, and suggests near names", async () => {
    const registry = new FileRegistry(await temp());
    const work = await temp();
    const pushed = await registry.push(await artifact(work, "intent", "1"), actor);
    await registry.push(await artifact(work, "intent", "2"), actor);

    expect((await resolveRef(registry, parseRef("intent"))).version).toBe("2");
    const byId = await resolveRef(registry, parseRef(undefined, undefined, pushed.version.id));
    expect(byId).toMatchObject({ name: "intent", version: "1" });

    const model = await rejectsWith(resolveRef(registry, parseRef("intnt")), "NOT_FOUND");
    expect((model.details as { nearest: string[] }).nearest).toEqual(["intent"]);
    const wrongId = `${pushed.version.id.slice(0, 9)}${pushed.version.id.endsWith("0") ? "1" : "0"}`;
    const id = await rejectsWith(resolveRef(registry, parseRef(undefined, undefined, wrongId)), "NOT_FOUND");
    expect((id.details as { nearest: string[] }).nearest).toContain(pushed.version.id);
  });
});
