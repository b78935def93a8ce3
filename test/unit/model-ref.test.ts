import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/config/duration.js";
import { formatRef, parseModelRef } from "../../src/model/ref.js";
import { storeFileName } from "../../src/targets/torchserve/model-store.js";

describe("parseModelRef", () => {
  it("reads name, name:version and the pair", () => {
    expect(parseModelRef("intent")).toEqual({ name: "intent" });
    expect(parseModelRef("intent:2")).toEqual({ name: "intent", version: "2" });
    expect(parseModelRef("intent", "2.1")).toEqual({ name: "intent", version: "2.1" });
    expect(parseModelRef("intent:2", "2")).toEqual({ name: "intent", version: "2" });
    expect(formatRef({ name: "a", version: "1" })).toBe("a:1");
  });
  it.each([["-x"], ["intent:"], ["in tent"], ["intent:1/2"]])("rejects %s", (text) => {
    expect(() => parseModelRef(text)).toThrow(/invalid|missing/);
  });
  it("rejects two different versions", () => {
    expect(() => parseModelRef("intent:1", "2")).toThrow(/two different versions/);
  });
});

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["2m", 120_000],
    ["500ms", 500],
    ["90", 90_000],
    ["1.5h", 5_400_000],
  ])("%s → %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));
  it("rejects garbage with exit 2", () => {
    expect(() => parseDuration("soon")).toThrow(/invalid duration/);
  });
});

it("store file names carry the archive hash and keep the extension TorchServe keys on", () => {
  const sha = "ab".repeat(32);
  expect(storeFileName("intent", "1", sha, "zip")).toBe("intent-1-abababababab.mar");
  expect(storeFileName("intent", "1", sha, "tgz")).toBe("intent-1-abababababab.tar.gz");
});
