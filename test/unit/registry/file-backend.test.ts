import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileRegistry, newId } from "../../../src/registry/file/backend.js";
import { actor, artifact, collect, rejectsWith, tempDirs } from "./helpers.js";

const temp = tempDirs("file-registry");

/** A registry in one temp folder, artifacts written to another. */
async function setup() {
  const root = await temp();
  const work = await temp();
  return { root, work, registry: new FileRegistry(root) };
}

/** A registry holding intent:1, intent:2 and intent:3. */
async function threeVersions() {
  const ctx = await setup();
  for (const v of ["1", "2", "3"]) await ctx.registry.push(await artifact(ctx.work, "intent", v), actor);
  return ctx;
}

async function blobFiles(root: string): Promise<string[]> {
  const base = join(root, "blobs", "sha256");
  const files: string[] = [];
  for (const dir of await readdir(base)) for (const f of await readdir(join(base, dir))) files.push(f);
  return files;
}

describe("newId", () => {
  it("is 10 lowercase base32 characters, different each time", () => {
    const ids = new Set(Array.from({ length: 200 }, () => newId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{10}$/);
  });
});

describe("FileRegistry.push", () => {
  it("creates a version with a 10-character id, stores the bytes and indexes the id", async () => {
    const { root, work, registry } = await setup();
    const input = await artifact(work, "intent", "1");
    const result = await registry.push(input, actor);
    expect(result.status).toBe("created");
    expect(result.storedBytes).toBe(input.size);
    expect(result.version.id).toMatch(/^[0-9a-z]{10}$/);
    expect(result.version).toMatchObject({
      name: "intent",
      version: "1",
      target: "any",
      format: "file",
      createdBy: actor.by,
      artifact: { sha256: input.sha256, size: input.size },
    });
    expect(await readFile(registry.location(result.version))).toEqual(input.bytes);
    expect(await registry.localArtifact(result.version)).toBe(registry.location(result.version));
    expect(registry.location(result.version).startsWith(root)).toBe(true);
    expect(await registry.findById(result.version.id)).toEqual(result.version);
    expect((await registry.model("intent"))?.versions).toEqual([result.version]);
  });

  it("reports the same bytes under the same version as unchanged, storing nothing", async () => {
    const { work, registry } = await setup();
    const input = await artifact(work, "intent", "1");
    const first = await registry.push(input, actor);
    const again = await registry.push(input, actor);
    expect(again.status).toBe("unchanged");
    expect(again.storedBytes).toBe(0);
    expect(again.version.id).toBe(first.version.id);
    expect((await registry.model("intent"))?.versions).toHaveLength(1);
    expect((await collect(registry.history("intent"))).filter((e) => e.action === "push")).toHaveLength(1);
  });

  it("refuses other bytes under an existing version (CONFLICT)", async () => {
    const { work, registry } = await setup();
    await registry.push(await artifact(work, "intent", "1"), actor);
    const error = await rejectsWith(registry.push(await artifact(work, "intent", "1"), actor), "CONFLICT");
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain("intent:1");
  });

  it("stores the same bytes once under two versions (content addressed)", async () => {
    const { root, work, registry } = await setup();
    const one = await artifact(work, "intent", "1");
    const two = await artifact(work, "intent", "2", one.bytes);
    const first = await registry.push(one, actor);
    const second = await registry.push(two, actor);
    expect(first.storedBytes).toBe(one.size);
    expect(second.status).toBe("created");
    expect(second.storedBytes).toBe(0);
    expect(second.version.id).not.toBe(first.version.id);
    expect(second.version.artifact.uri).toBe(first.version.artifact.uri);
    expect(await blobFiles(root)).toEqual([one.sha256]);
    expect((await stat(registry.location(first.version))).mode & 0o222).toBe(0);
  });
});

describe("FileRegistry.release and rollback", () => {
  it("moves an alias, and each rollback undoes the last move", async () => {
    const { registry } = await threeVersions();
    const r1 = await registry.release("intent", "1", "PROD", actor);
    expect(r1.changed).toBe(true);
    expect(r1.event?.previous).toBeUndefined();
    const r2 = await registry.release("intent", "2", "PROD", actor);
    expect(r2.changed).toBe(true);
    expect(r2.event).toMatchObject({ action: "release", alias: "PROD", version: "2", previous: "1" });
    expect(r2.event?.seq).toBeGreaterThan(r1.event?.seq ?? Number.POSITIVE_INFINITY);

    const back = await registry.rollback("intent", "PROD", actor);
    expect(back).toMatchObject({ action: "rollback", alias: "PROD", version: "1", previous: "2" });
    expect((await registry.model("intent"))?.aliases.PROD?.version).toBe("1");

    const forth = await registry.rollback("intent", "PROD", actor);
    expect(forth).toMatchObject({ action: "rollback", version: "2", previous: "1" });
    expect((await registry.model("intent"))?.aliases.PROD?.version).toBe("2");
  });

  it("releasing the version an alias already points at changes and records nothing", async () => {
    const { registry } = await threeVersions();
    await registry.release("intent", "2", "PROD", actor);
    const before = await collect(registry.history("intent"));
    const again = await registry.release("intent", "2", "PROD", actor);
    expect(again.changed).toBe(false);
    expect(await collect(registry.history("intent"))).toEqual(before);
  });

  it("refuses a rollback with no earlier version (NOT_FOUND)", async () => {
    const { registry } = await threeVersions();
    await registry.release("intent", "1", "PROD", actor);
    await rejectsWith(registry.rollback("intent", "PROD", actor), "NOT_FOUND");
    await rejectsWith(registry.rollback("intent", "STAGING", actor), "NOT_FOUND");
    expect((await registry.model("intent"))?.aliases.PROD?.version).toBe("1");
  });

  it.each(["latest", "LATEST", "v1", "1abc", "a b", "", "PROD!"])(
    "refuses the alias %j (USAGE)",
    async (alias) => {
      const { registry } = await threeVersions();
      await rejectsWith(registry.release("intent", "1", alias, actor), "USAGE");
      expect((await registry.model("intent"))?.aliases).toEqual({});
    },
  );

  it("refuses an unknown version with the nearest ones in details, and an unknown model", async () => {
    const { registry } = await threeVersions();
    await registry.push(await artifact(await temp(), "intent", "10"), actor);
    const error = await rejectsWith(registry.release("intent", "11", "PROD", actor), "NOT_FOUND");
    expect((error.details as { nearest: string[] }).nearest).toContain("10");
    const model = await rejectsWith(registry.release("intnt", "1", "PROD", actor), "NOT_FOUND");
    expect((model.details as { nearest: string[] }).nearest).toEqual(["intent"]);
  });
});

describe("FileRegistry.remove", () => {
  it("refuses a version an alias points at, removes it otherwise", async () => {
    const { registry } = await threeVersions();
    await registry.release("intent", "2", "PROD", actor);
    const error = await rejectsWith(registry.remove("intent", "2", actor), "CONFLICT");
    expect(error.details).toEqual({ aliases: ["PROD"] });

    const id = (await registry.model("intent"))?.versions.find((v) => v.version === "1")?.id as string;
    expect(await registry.findById(id)).toBeDefined();
    const removed = await registry.remove("intent", "1", actor);
    expect(removed.version).toBe("1");
    expect(removed.id).toBe(id);
    expect(await registry.findById(id)).toBeUndefined();
    expect((await registry.model("intent"))?.versions.map((v) => v.version)).toEqual(["2", "3"]);
    await rejectsWith(registry.remove("intent", "1", actor), "NOT_FOUND");
  });

  it("rejects malformed ids in findById without touching the disk", async () => {
    const { registry } = await setup();
    expect(await registry.findById("../../etc/passwd")).toBeUndefined();
    expect(await registry.findById("ABC")).toBeUndefined();
  });
});

describe("FileRegistry.history", () => {
  it("lists every event oldest first with strictly increasing seq, filtered by alias", async () => {
    const { registry } = await threeVersions();
    await registry.release("intent", "1", "PROD", actor);
    await registry.release("intent", "2", "STG", actor);
    await registry.release("intent", "3", "PROD", { by: "ci", reason: "canary ok" });
    await registry.rollback("intent", "PROD", actor);
    await registry.remove("intent", "3", actor);

    const events = await collect(registry.history("intent"));
    expect(events.map((e) => `${e.action}:${e.alias ?? ""}:${e.version}`)).toEqual([
      "push::1",
      "push::2",
      "push::3",
      "release:PROD:1",
      "release:STG:2",
      "release:PROD:3",
      "rollback:PROD:1",
      "remove::3",
    ]);
    for (let i = 1; i < events.length; i++)
      expect(events[i]?.seq).toBeGreaterThan(events[i - 1]?.seq as number);
    expect(events[5]).toMatchObject({ by: "ci", reason: "canary ok" });

    const prod = await collect(registry.history("intent", "PROD"));
    expect(prod.map((e) => e.version)).toEqual(["1", "3", "1"]);
    expect(prod.every((e) => e.alias === "PROD")).toBe(true);
  });

  it("refuses an unknown alias or model (NOT_FOUND)", async () => {
    const { registry } = await threeVersions();
    await registry.release("intent", "1", "PROD", actor);
    const alias = await rejectsWith(collect(registry.history("intent", "PRDO")), "NOT_FOUND");
    expect((alias.details as { nearest: string[] }).nearest).toContain("PROD");
    await rejectsWith(collect(registry.history("nope")), "NOT_FOUND");
  });
});

describe("FileRegistry.models", () => {
  it("summarises each model with the latest version in numeric-aware order", async () => {
    const { work, registry } = await setup();
    expect(await registry.models()).toEqual([]);
    for (const v of ["2", "10", "9"]) await registry.push(await artifact(work, "intent", v), actor);
    await registry.push(await artifact(work, "alpha", "1.9"), actor);
    await registry.push(await artifact(work, "alpha", "1.10"), actor);
    await registry.release("intent", "9", "PROD", actor);

    const summaries = await registry.models();
    expect(summaries.map((s) => s.name)).toEqual(["alpha", "intent"]);
    expect(summaries[0]).toMatchObject({ versions: 2, latest: "1.10", aliases: {} });
    expect(summaries[1]).toMatchObject({ versions: 3, latest: "10", aliases: { PROD: "9" } });
    expect(summaries[1]?.updatedAt).toBe((await registry.model("intent"))?.aliases.PROD?.at);
  });

  it("leaves out a model whose versions were all removed", async () => {
    const { work, registry } = await setup();
    await registry.push(await artifact(work, "gone", "1"), actor);
    await registry.remove("gone", "1", actor);
    expect(await registry.models()).toEqual([]);
    expect(await registry.model("gone")).toBeUndefined();
  });
});

describe("aliases are case-insensitive", () => {
  it("PROD and prod are one alias, stored as first written; lookup, rollback and history accept either", async () => {
    const { registry } = await threeVersions();
    const first = await registry.release("intent", "1", "PROD", actor);
    expect(first).toMatchObject({ changed: true, alias: "PROD", version: "1" });
    const second = await registry.release("intent", "2", "prod", actor);
    expect(second).toMatchObject({ changed: true, alias: "PROD", version: "2", previous: "1" });
    expect(second.event).toMatchObject({ alias: "PROD", version: "2", previous: "1" });
    const entry = await registry.model("intent");
    expect(Object.keys(entry?.aliases ?? {})).toEqual(["PROD"]);
    const { resolveInEntry } = await import("../../../src/registry/resolve.js");
    const resolved = resolveInEntry(entry as NonNullable<typeof entry>, {
      kind: "alias",
      name: "intent",
      alias: "Prod",
    });
    expect(resolved).toMatchObject({ version: "2", alias: "PROD" });
    expect((await registry.rollback("intent", "pRoD", actor)).version).toBe("1");
    const history = await collect(registry.history("intent", "prod"));
    expect(history.map((e) => `${e.action} ${e.alias} ${e.version}`)).toEqual([
      "release PROD 1",
      "release PROD 2",
      "rollback PROD 1",
    ]);
  });

  it("a no-op release says changed: false with no event (no seq, no time)", async () => {
    const { registry } = await threeVersions();
    await registry.release("intent", "2", "PROD", actor);
    const again = await registry.release("intent", "2", "prod", actor);
    expect(again).toEqual({ changed: false, alias: "PROD", version: "2" });
  });
});

describe("content identity", () => {
  it("pushing other bytes with the same content digest is unchanged; other content is a conflict naming both digests", async () => {
    const { work, registry } = await setup();
    const a = await artifact(work, "intent", "9");
    const pushed = await registry.push({ ...a, digest: "d".repeat(64) }, actor);
    const b = await artifact(work, "intent", "9");
    const same = await registry.push({ ...b, digest: "d".repeat(64) }, actor);
    expect(same).toMatchObject({ status: "unchanged", storedBytes: 0 });
    expect(same.version.artifact.sha256).toBe(pushed.version.artifact.sha256);
    const error = await rejectsWith(registry.push({ ...b, digest: "e".repeat(64) }, actor), "CONFLICT");
    expect(error.message).toContain("dddddddddddd");
    expect(error.message).toContain("eeeeeeeeeeee");
    expect(error.exitCode).toBe(5);
  });

  it("records the kind and digest of each version and reads documents written before kinds", async () => {
    const { root, work, registry } = await setup();
    const a = await artifact(work, "old", "1");
    const pushed = await registry.push({ ...a, kind: "file" }, actor);
    expect(pushed.version).toMatchObject({ kind: "file", artifact: { digest: a.digest } });
    const path = join(root, "models", "old", "model.json");
    const doc = JSON.parse(await readFile(path, "utf8"));
    for (const v of doc.versions) {
      delete v.kind;
      delete v.artifact.digest;
      v.target = "torchserve";
    }
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path, JSON.stringify(doc));
    const read = (await new FileRegistry(root).model("old"))?.versions[0];
    expect(read).toMatchObject({ kind: "torchserve-archive", target: "torchserve" });
    expect(read?.artifact.digest).toBeUndefined();
  });
});
