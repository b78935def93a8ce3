import { describe, expect, it } from "vitest";
import { checkDoc, checkEvent } from "../../../src/registry/file/doc-check.js";

const version = {
  id: "abcdefghjk",
  name: "intent",
  version: "1",
  target: "torchserve",
  format: "mar",
  artifact: { uri: "blobs/x", sha256: "a".repeat(64), size: 3 },
  createdAt: "2026-01-01T00:00:00Z",
  createdBy: "ci",
  tags: { git: "3f2a" },
};
const doc = (change: Record<string, unknown> = {}) => ({
  schema: 1,
  name: "intent",
  seq: 2,
  versions: [version],
  aliases: { PROD: { version: "1", at: "t", by: "ci" } },
  ...change,
});

describe("checkDoc (model.json read without zod)", () => {
  it("reads a document written before kinds and digests, filling in the kind", () => {
    const read = checkDoc(doc());
    expect(read.ok && read.value.versions[0]).toMatchObject({
      kind: "torchserve-archive",
      tags: { git: "3f2a" },
    });
    const plain = checkDoc(doc({ versions: [{ ...version, target: "any", format: "file" }] }));
    expect(plain.ok && plain.value.versions[0]?.kind).toBe("file");
    const kinded = checkDoc(
      doc({
        versions: [
          { ...version, kind: "triton-version", artifact: { ...version.artifact, digest: "b".repeat(64) } },
        ],
      }),
    );
    expect(kinded.ok && kinded.value.versions[0]).toMatchObject({
      kind: "triton-version",
      artifact: { digest: "b".repeat(64) },
    });
  });

  it.each([
    [{ schema: 2 }, "schema: expected 1"],
    [{ seq: -1 }, "seq: expected a whole number"],
    [{ versions: [{ ...version, format: "rar" }] }, "versions[0].format: unknown format"],
    [
      { versions: [{ ...version, artifact: { ...version.artifact, sha256: "xyz" } }] },
      "versions[0].artifact.sha256: expected 64 hex digits",
    ],
    [{ versions: [{ ...version, kind: "onnx" }] }, "versions[0].kind: unknown kind"],
    [{ aliases: { PROD: { version: 1, at: "t", by: "ci" } } }, "aliases.PROD.version: expected a string"],
    [{ versions: [{ ...version, tags: { a: 1 } }] }, "versions[0].tags: expected string values"],
  ])("names what is damaged: %j", (change, message) => {
    expect(checkDoc(doc(change))).toEqual({ ok: false, message });
  });

  it("takes history lines that are events, and nothing else", () => {
    expect(checkEvent({ seq: 3, at: "t", by: "ci", action: "release", alias: "PROD", version: "2" })).toEqual(
      {
        seq: 3,
        at: "t",
        by: "ci",
        action: "release",
        alias: "PROD",
        version: "2",
      },
    );
    for (const bad of [
      undefined,
      "x",
      { seq: 0, at: "t", by: "ci", action: "push" },
      { seq: 1, at: "t", by: "ci", action: "delete" },
      { seq: 1, at: "t", by: "ci", action: "push", version: 2 },
    ])
      expect(checkEvent(bad)).toBeUndefined();
  });
});
