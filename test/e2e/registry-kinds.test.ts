import { randomBytes } from "node:crypto";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliIn, json, repoRoot, tempProject } from "../helpers/cli.js";
import { makeTgz } from "../helpers/make-archives.js";

/**
 * What the registry holds: every artifact kind, recognised by the target that
 * can load it and shown in `registry list/show`; aliases are one per name
 * whatever their case, even under 20 simultaneous releases.
 */
const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");

describe("registry artifact kinds and aliases", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const { run, ok } = cliIn(() => ({ cwd: dir }));
  const push = async (...args: string[]) => json(await ok("registry", "push", ...args, "-o", "json"));

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject("intent"));
    await cp(join(repoRoot, "fixtures", "tfserving", "linear"), join(dir, "export"), { recursive: true });
  });
  afterAll(() => cleanup?.());

  it("stores each kind the target that loads it recognises, and lists and shows the kind", async () => {
    await ok("package", "--handler", handler, "--archive-format", "no-archive", "--export-path", "folder");
    await ok("package", "--handler", handler, "-v", "2", "--archive-format", "tgz", "--export-path", "tgz");
    await ok("init", "--target", "triton", "--template", "python", "adder");
    await ok("package", "--config", "adder/mserve.yaml", "-v", "3");
    await writeFile(join(dir, "weights.bin"), randomBytes(64));
    await writeFile(
      join(dir, "other.tar.gz"),
      await makeTgz([{ name: "a/readme.txt", data: "not a model" }]),
    );

    expect(await push("folder/intent")).toMatchObject({
      name: "intent",
      version: "1",
      kind: "torchserve-archive",
      format: "tgz",
    });
    expect(await push("tgz/intent.tar.gz")).toMatchObject({
      version: "2",
      kind: "torchserve-archive",
      format: "tgz",
    });
    expect(await push("adder/model_repository/adder/3")).toMatchObject({
      name: "adder",
      version: "3",
      kind: "triton-version",
      target: "triton",
    });
    expect(await push("export", "--name", "linear", "--version", "4")).toMatchObject({
      kind: "tf-savedmodel",
      target: "tfserving",
    });
    expect(await push("weights.bin", "--name", "blob", "--version", "1")).toMatchObject({
      kind: "file",
      target: "any",
      format: "file",
    });
    // A .tar.gz that is not a TorchServe archive is a plain file, not refused as one that "would not load".
    expect(await push("other.tar.gz", "--name", "other", "--version", "1")).toMatchObject({ kind: "file" });

    const listed = await ok("registry", "list", "intent");
    expect(listed.stdout).toMatch(/VERSION\s+ID\s+ALIASES\s+KIND/);
    expect(listed.stdout.match(/torchserve-archive/g)).toHaveLength(2);
    const shown = json(await ok("registry", "show", "adder:3", "-o", "json"));
    expect(shown).toMatchObject({
      kind: "triton-version",
      artifact: { digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect((await ok("registry", "show", "linear:4")).stdout).toMatch(/kind\s+tf-savedmodel/);
    // The same folder again is unchanged: its tar is built the same way every time.
    expect((await push("adder/model_repository/adder", "--version", "3")).status).toBe("unchanged");
  });

  it("refuses a folder nobody recognises (exit 3), and a missing or disagreeing version (exit 2)", async () => {
    await mkdir(join(dir, "empty"));
    const empty = await run("registry", "push", "empty", "--name", "x", "--version", "1");
    expect(empty.exitCode).toBe(3);
    expect(empty.stderr).toMatch(/does not recognise/);
    const noVersion = await run("registry", "push", "export", "--name", "linear");
    expect(noVersion.exitCode).toBe(2);
    const disagree = await run("registry", "push", "tgz/intent.tar.gz", "--version", "9");
    expect(disagree.exitCode).toBe(2);
    expect(disagree.stderr).toMatch(/--version 9 disagrees with the archive's manifest \(2\)/);
  });

  it("keeps one alias under 20 simultaneous releases mixing PROD and prod, with a complete history", async () => {
    for (let v = 1; v <= 4; v++) {
      await writeFile(join(dir, `r${v}.bin`), randomBytes(128));
      await ok("registry", "push", `r${v}.bin`, "--name", "race", "--version", String(v));
    }
    const jobs = Array.from({ length: 20 }, (_, i) => [
      "release",
      "race",
      String((i % 4) + 1),
      "--as",
      i % 2 ? "prod" : "PROD",
      "-o",
      "json",
    ]);
    const results = await Promise.all(jobs.map((args) => run(...args)));
    const answers = results.map((r, i) => {
      expect(r.exitCode, `${jobs[i]?.join(" ")}\n${r.stderr}`).toBe(0);
      return json(r);
    });
    const entry = json(await ok("registry", "list", "-o", "json")).models.find(
      (m: { name: string }) => m.name === "race",
    );
    const aliases = Object.keys(entry.aliases);
    expect(aliases).toHaveLength(1);
    expect(["PROD", "prod"]).toContain(aliases[0]);
    // Every answer names the alias as stored; a no-op has no event.
    for (const a of answers) {
      expect(a.alias).toBe(aliases[0]);
      if (!a.changed) expect(a).not.toHaveProperty("seq");
    }
    const events = json(await ok("registry", "history", "race", "--alias", "pRoD", "-o", "json")).events as {
      seq: number;
      version: string;
      previous?: string;
      alias: string;
    }[];
    const changed = answers.filter((a) => a.changed);
    expect(events).toHaveLength(changed.length);
    expect(events.map((e) => e.seq).sort((x, y) => x - y)).toEqual(
      changed.map((a) => a.seq).sort((x, y) => x - y),
    );
    // An unbroken chain: each move starts where the previous one ended.
    expect(events[0]?.previous).toBeUndefined();
    for (let i = 1; i < events.length; i++) expect(events[i]?.previous).toBe(events[i - 1]?.version);
    expect(entry.aliases[aliases[0] as string]).toBe(events.at(-1)?.version);
  }, 120_000);
});
