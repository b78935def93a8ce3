import { appendFile, chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileRegistry } from "../../../src/registry/file/backend.js";
import { appendDurable } from "../../../src/registry/file/durable.js";
import { withLock } from "../../../src/registry/file/lock.js";
import { readHistory } from "../../../src/registry/file/model-doc.js";
import { actor, artifact, collect, rejectsWith, tempDirs } from "./helpers.js";

const temp = tempDirs("file-durability");

async function setup(versions = ["1", "2"]) {
  const root = await temp();
  const work = await temp();
  const registry = new FileRegistry(root);
  for (const v of versions) await registry.push(await artifact(work, "intent", v), actor);
  return { root, work, registry, history: join(root, "models", "intent", "history.jsonl") };
}

const docSeq = async (root: string) =>
  (JSON.parse(await readFile(join(root, "models", "intent", "model.json"), "utf8")) as { seq: number }).seq;

describe("history after a crash", () => {
  it("keeps reading events appended after a torn line", async () => {
    const { registry, history } = await setup();
    await registry.release("intent", "1", "PROD", actor);
    await appendFile(history, '{"seq":9,"at":"2026-01-01T00:00:00Z","by":"x","act');
    await registry.release("intent", "2", "PROD", actor);

    const events = await collect(registry.history("intent"));
    expect(events.map((e) => `${e.action}:${e.version}`)).toEqual([
      "push:1",
      "push:2",
      "release:1",
      "release:2",
    ]);
    expect(events.at(-1)).toMatchObject({ alias: "PROD", previous: "1" });
    const text = await readFile(history, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    // The torn line was closed, not continued.
    expect(text.split("\n").filter((l) => l.includes('"act') && !l.includes("action"))).toHaveLength(1);
  });

  it("skips an event above model.json's seq (appended, never committed)", async () => {
    const { root, registry, history } = await setup();
    const committed = await docSeq(root);
    await appendFile(
      history,
      `${JSON.stringify({ seq: committed + 5, at: "2026-01-01T00:00:00Z", by: "x", action: "release", alias: "PROD", version: "2" })}\n`,
    );
    const events = await collect(registry.history("intent"));
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.seq <= committed)).toBe(true);
    await rejectsWith(collect(registry.history("intent", "PROD")), "NOT_FOUND");
  });

  it("lets a retry with the same seq replace an uncommitted event", async () => {
    const { root, registry, history } = await setup();
    const next = (await docSeq(root)) + 1;
    await appendFile(
      history,
      `${JSON.stringify({ seq: next, at: "2026-01-01T00:00:00Z", by: "ghost", action: "release", alias: "PROD", version: "2" })}\n`,
    );
    const done = await registry.release("intent", "1", "PROD", actor);
    expect(done.event?.seq).toBe(next);
    const events = await collect(registry.history("intent"));
    expect(events.map((e) => `${e.seq}:${e.action}:${e.version}:${e.by}`)).toEqual([
      "1:push:1:tester@host",
      "2:push:2:tester@host",
      `${next}:release:1:tester@host`,
    ]);
    await rejectsWith(registry.rollback("intent", "PROD", actor), "NOT_FOUND");
  });

  it("readHistory yields nothing for a missing file", async () => {
    expect(await collect(readHistory(join(await temp(), "none.jsonl"), 10))).toEqual([]);
  });

  it("appendDurable adds the missing newline of a torn last line", async () => {
    const file = join(await temp(), "h.jsonl");
    await appendDurable(file, "a");
    await appendFile(file, "torn");
    await appendDurable(file, "b\n");
    expect(await readFile(file, "utf8")).toBe("a\ntorn\nb\n");
  });
});

describe("rollback after a remove", () => {
  it("refuses to roll back to a version that was removed (NOT_FOUND), leaving the alias alone", async () => {
    const { registry } = await setup(["1", "2"]);
    await registry.release("intent", "1", "PROD", actor);
    await registry.release("intent", "2", "PROD", actor);
    await registry.remove("intent", "1", actor);
    const error = await rejectsWith(registry.rollback("intent", "PROD", actor), "NOT_FOUND");
    expect(error.message).toContain("intent:1");
    expect((await registry.model("intent"))?.aliases.PROD?.version).toBe("2");
  });
});

describe("FileRegistry.verify", () => {
  it("finds no problem in a clean registry", async () => {
    const { registry } = await setup();
    const report = await registry.verify();
    expect(report).toEqual({ checked: 2, problems: [], leftovers: [], pruned: [] });
  });

  it("reports a blob whose bytes changed as corrupt", async () => {
    const { registry } = await setup();
    const v1 = (await registry.model("intent"))?.versions[0];
    if (!v1) throw new Error("no version");
    const path = registry.location(v1);
    await chmod(path, 0o644);
    const bytes = await readFile(path);
    bytes[0] = (bytes[0] as number) ^ 0xff;
    await writeFile(path, bytes);
    const report = await registry.verify();
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ kind: "corrupt", subject: "intent:1" });
  });

  it("reports a deleted blob as missing, and localArtifact refuses it", async () => {
    const { registry } = await setup();
    const v2 = (await registry.model("intent"))?.versions[1];
    if (!v2) throw new Error("no version");
    await rm(registry.location(v2));
    const report = await registry.verify();
    expect(report.problems.map((p) => `${p.kind} ${p.subject}`)).toEqual(["missing intent:2"]);
    await rejectsWith(registry.localArtifact(v2), "INVALID_INPUT");
  });

  it("lists a temp file as a leftover, prunes it only once it is old", async () => {
    const { root, registry } = await setup();
    const leftover = join(root, "blobs", "tmp", "123-abc");
    await mkdir(join(root, "blobs", "tmp"), { recursive: true });
    await writeFile(leftover, "partial");

    const report = await registry.verify();
    expect(report.problems).toEqual([]);
    expect(report.leftovers.map((l) => `${l.kind} ${l.subject}`)).toEqual(["orphan blobs/tmp/123-abc"]);

    const young = await registry.verify({ prune: true });
    expect(young.pruned).toEqual([]);
    expect(young.leftovers).toHaveLength(1);
    expect((await stat(leftover)).isFile()).toBe(true);

    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(leftover, old, old);
    const pruned = await registry.verify({ prune: true });
    expect(pruned.pruned).toEqual(["blobs/tmp/123-abc"]);
    expect(pruned.leftovers).toEqual([]);
    expect(await readdir(join(root, "blobs", "tmp"))).toEqual([]);
    expect((await registry.verify()).leftovers).toEqual([]);
  });

  it("lists the blob and id of a removed version as leftovers", async () => {
    const { registry } = await setup();
    const removed = await registry.remove("intent", "1", actor);
    const report = await registry.verify();
    expect(report.checked).toBe(1);
    expect(report.problems).toEqual([]);
    expect(report.leftovers.map((l) => l.subject)).toEqual([removed.artifact.uri]);
  });

  it("reports a damaged model.json as unreadable", async () => {
    const { root, registry } = await setup();
    await writeFile(join(root, "models", "intent", "model.json"), "{not json");
    const report = await registry.verify();
    expect(report.problems.map((p) => `${p.kind} ${p.subject}`)).toEqual(["unreadable intent"]);
    await rejectsWith(registry.model("intent"), "INVALID_INPUT");
  });
});

describe("locking", () => {
  it("takes over a stale lock left by a crashed writer", async () => {
    const { root, registry } = await setup();
    const lock = join(root, "models", "intent", ".lock");
    await mkdir(lock);
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    const result = await registry.release("intent", "1", "PROD", actor);
    expect(result.changed).toBe(true);
    expect((await registry.model("intent"))?.aliases.PROD?.version).toBe("1");
    await expect(stat(lock)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("serialises concurrent writers: every push and release is recorded once", async () => {
    const { work, registry } = await setup([]);
    const inputs = await Promise.all(["1", "2", "3", "4", "5", "6"].map((v) => artifact(work, "intent", v)));
    await Promise.all(inputs.map((input) => registry.push(input, actor)));
    const events = await collect(registry.history("intent"));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await registry.model("intent"))?.versions).toHaveLength(6);
  });

  it("times out on a lock that stays busy", async () => {
    const folder = join(await temp(), "m");
    let release!: () => void;
    const held = withLock(folder, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    await rejectsWith(
      withLock(folder, async () => "never", { waitMs: 200 }),
      "TIMEOUT",
    );
    release();
    await held;
    expect(await withLock(folder, async () => "free")).toBe("free");
  });
});
