import { describe, expect, it } from "vitest";
import { MserveError } from "../../src/errors.js";
import { heldIs, sameContent } from "../../src/registry/identity.js";
import type { ModelVersion, Registry } from "../../src/registry/types.js";
import { checkExact, ensureExact } from "../../src/release/exact.js";
import type { Held, Hooks, Target, TargetConnection } from "../../src/targets/target.js";

const digest = "a".repeat(64);
const sha256 = "b".repeat(64);
const model: ModelVersion = {
  id: "abcdefghjk",
  name: "tabx",
  version: "1",
  target: "torchserve",
  kind: "torchserve-archive",
  format: "mar",
  artifact: { uri: "x", sha256, size: 1, digest },
  createdAt: "",
  createdBy: "",
  tags: {},
};
const connection: TargetConnection = { target: "t", label: "srv", close: async () => {} };
const hooks = { step: () => {}, signal: new AbortController().signal } as unknown as Hooks;

function adapter(held: Held, place?: () => Promise<void>): Target {
  return {
    id: "t",
    held: async () => held,
    ...(place
      ? {
          place: async () => {
            await place();
            return { data: {}, view: { blocks: [] } };
          },
        }
      : {}),
  };
}

const code = async (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: MserveError) => `${e.code} ${e.exitCode}`,
  );

describe("identity", () => {
  it("matches a held digest or 12-digit prefix of the digest, or of the sha256 for older deploys", () => {
    expect(heldIs(model, digest)).toBe(true);
    expect(heldIs(model, digest.slice(0, 12))).toBe(true);
    expect(heldIs(model, sha256.slice(0, 12))).toBe(true);
    expect(heldIs(model, digest.slice(0, 8))).toBe(false);
    expect(heldIs(model, "c".repeat(12))).toBe(false);
    expect(sameContent(model, { sha256: "z", digest })).toBe(true);
    expect(sameContent(model, { sha256, digest: "c".repeat(64) })).toBe(false);
  });
});

describe("checkExact and ensureExact", () => {
  it("answers same, absent, and exit 5 naming both digests for another artifact or an unknown one", async () => {
    expect(
      await checkExact(adapter({ present: true, digest }), connection, { model, label: "tabx@PROD" }),
    ).toBe("same");
    expect(await checkExact(adapter({ present: false }), connection, { model, label: "tabx@PROD" })).toBe(
      "absent",
    );
    const other = "c".repeat(12);
    const error = await checkExact(adapter({ present: true, digest: other }), connection, {
      model,
      label: "tabx@PROD",
      alias: "PROD",
    }).catch((e: MserveError) => e);
    expect(error).toBeInstanceOf(MserveError);
    expect((error as MserveError).exitCode).toBe(5);
    expect((error as MserveError).message).toContain(digest);
    expect((error as MserveError).message).toContain(other);
    expect((error as MserveError).hint).toBe(
      "Put the released artifact on the server: mserve deploy tabx@PROD --replace",
    );
    expect(await code(checkExact(adapter({ present: true }), connection, { model, label: "tabx:1" }))).toBe(
      "CONFLICT 5",
    );
  });

  it("places an absent version only when allowed, after checking the artifact's sha256", async () => {
    let placed = 0;
    const registry = { localArtifact: async () => "/nonexistent/artifact" } as unknown as Registry;
    const request = { model, label: "tabx@PROD", registry, autoRegister: false, timeoutMs: 1_000 };
    const target = adapter({ present: false }, async () => {
      placed++;
    });
    expect(await code(ensureExact(target, connection, request, hooks))).toBe("NOT_FOUND 4");
    // A missing or corrupt artifact never reaches the server.
    expect(await code(ensureExact(target, connection, { ...request, autoRegister: true }, hooks))).not.toBe(
      "ok",
    );
    expect(placed).toBe(0);
  });
});
