import { randomBytes } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, cliIn, tempProject } from "../helpers/cli.js";

/** The registry commands through the built bin, on the embedded file backend. */
describe("mserve registry (file backend)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const { run, ok } = cliIn(() => ({ cwd: dir }));
  const json = (result: CliResult) => JSON.parse(result.stdout);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    for (const v of ["1", "2", "10"]) await writeFile(join(dir, `model-${v}.bin`), randomBytes(2048));
    for (const v of ["1", "2", "10"])
      await ok("registry", "push", `model-${v}.bin`, "--name", "intent", "--version", v);
    await ok("release", "intent", "1", "--as", "PROD");
  });
  afterAll(() => cleanup());

  it("pushes content-addressed: the same bytes again store nothing and keep the id", async () => {
    const first = json(await ok("registry", "show", "intent:1", "-o", "json"));
    const again = json(
      await ok("registry", "push", "model-1.bin", "--name", "intent", "--version", "1", "-o", "json"),
    );
    expect(again).toMatchObject({ status: "unchanged", storedBytes: 0, id: first.id });
    expect(first.id).toMatch(/^[0-9a-z]{10}$/);
    const copy = json(
      await ok("registry", "push", "model-1.bin", "--name", "copy", "--version", "1", "-o", "json"),
    );
    expect(copy).toMatchObject({ status: "created", storedBytes: 0 });
    expect(copy.artifact.sha256).toBe(first.artifact.sha256);
  });

  it("refuses other bytes under a taken version with exit 5", async () => {
    const result = await run("registry", "push", "model-2.bin", "--name", "intent", "--version", "1");
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toMatch(/intent:1 is already in the registry with different content/);
  });

  it("resolves every reference form to the same version", async () => {
    const id = json(await ok("registry", "show", "intent:1", "-o", "json")).id;
    for (const ref of [["intent@PROD"], ["intent", "PROD"], ["intent:1"], ["intent", "1"], ["--id", id]]) {
      expect(json(await ok("registry", "show", ...ref, "-o", "json")).version, ref.join(" ")).toBe("1");
    }
    // A bare name is the latest version, numbers compared as numbers.
    expect(json(await ok("registry", "show", "intent", "-o", "json")).version).toBe("10");
  });

  it("answers unknown names, versions, aliases and ids with exit 4 and the nearest matches", async () => {
    const cases: [string[], RegExp][] = [
      [["registry", "show", "intnet"], /model "intnet" is not in the registry[\s\S]*Did you mean intent/],
      [["registry", "show", "intent:11"], /no version "11"[\s\S]*intent:1/],
      [["registry", "show", "intent@PRD"], /no alias "PRD"[\s\S]*intent@PROD/],
      [["registry", "show", "intent", "STG"], /no alias or version "STG"/],
      [["registry", "show", "--id", "zzzzzzzzzz"], /no model version has the id "zzzzzzzzzz"/],
      [["release", "intent", "7", "--as", "STG"], /intent has no version "7"/],
      [["rollback", "ghost", "--alias", "PROD"], /model "ghost" is not in the registry/],
    ];
    for (const [args, message] of cases) {
      const result = await run(...args);
      expect(result.exitCode, args.join(" ")).toBe(4);
      expect(result.stderr, args.join(" ")).toMatch(message);
    }
    const asJson = json(await run("registry", "show", "intnet", "-o", "json"));
    expect(asJson.error).toMatchObject({ code: "NOT_FOUND", details: { nearest: ["intent"] } });
  });

  it("rejects invalid aliases and ambiguous pairs with exit 2", async () => {
    for (const alias of ["latest", "v2", "9lives", "no spaces"]) {
      const result = await run("release", "intent", "2", "--as", alias);
      expect(result.exitCode, alias).toBe(2);
      expect(result.stderr).toMatch(/invalid alias/);
    }
    await writeFile(join(dir, "odd.bin"), randomBytes(64));
    await ok("registry", "push", "odd.bin", "--name", "odd", "--version", "1");
    await ok("registry", "push", "model-2.bin", "--name", "odd", "--version", "GOLD");
    await ok("release", "odd", "1", "--as", "GOLD");
    const result = await run("registry", "show", "odd", "GOLD");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/ambiguous: alias GOLD \(→ version 1\) and version GOLD/);
    expect(json(await ok("registry", "show", "odd@GOLD", "-o", "json")).version).toBe("1");
    expect(json(await ok("registry", "show", "odd:GOLD", "-o", "json")).version).toBe("GOLD");
  });

  it("refuses to remove a released version (exit 5) and removes it once the alias moved", async () => {
    const refused = await run("registry", "rm", "intent:1", "--yes");
    expect(refused.exitCode).toBe(5);
    expect(refused.stderr).toMatch(/released as PROD/);
    const noYes = await run("registry", "rm", "intent:2");
    expect(noYes.exitCode).toBe(2);
    await ok("release", "intent", "2", "--as", "PROD", "--reason", "better on eval");
    await ok("registry", "rm", "intent:1", "--yes");
    const list = json(await ok("registry", "list", "intent", "-o", "json"));
    expect(list.versions.map((v: { version: string }) => v.version)).toEqual(["2", "10"]);
    // Rolling back to a removed version is refused, not silently skipped.
    const rollback = await run("rollback", "intent", "--alias", "PROD");
    expect(rollback.exitCode).toBe(4);
    expect(rollback.stderr).toMatch(/intent:1, the version before PROD's current one, was removed/);
  });

  it("keeps the history append-only and ordered", async () => {
    const history = json(await ok("registry", "history", "intent", "-o", "json")).events;
    const seqs = history.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(history.map((e: { action: string }) => e.action)).toEqual([
      "push",
      "push",
      "push",
      "release",
      "release",
      "remove",
    ]);
    expect(history[4]).toMatchObject({
      alias: "PROD",
      version: "2",
      previous: "1",
      reason: "better on eval",
    });
    const prod = json(await ok("registry", "history", "intent", "--alias", "PROD", "-o", "json")).events;
    expect(prod).toHaveLength(2);
  });

  it("refuses names that could leave the registry folder, bad request ids, empty labels and --since 0 (exit 2)", async () => {
    for (const args of [
      ["rollback", "../../outside", "--alias", "PROD"],
      ["registry", "list", "../models/intent"],
      ["registry", "history", "intent/"],
      ["feedback", "some-id", "--label", "   "],
      ["feedback", 'a"b', "--label", "x"],
      ["logs", "predictions", "--since", "0"],
      ["predict", "intent", "--data", "x", "--request-id", "has space"],
    ]) {
      const result = await run(...args);
      expect(result.exitCode, `${args.join(" ")}\n${result.stderr}`).toBe(2);
      expect(result.stderr).not.toMatch(/bug in mserve/);
    }
  });

  it("answers feedback for an unknown request with exit 4 and an empty prediction log with no rows", async () => {
    const feedback = await run("feedback", "no-such-request", "--label", "x");
    expect(feedback.exitCode).toBe(4);
    expect(feedback.stderr).toMatch(/no logged prediction has the request id no-such-request/);
    const logs = json(await ok("logs", "predictions", "-o", "json"));
    expect(logs).toEqual({ matched: 0, shown: 0, predictions: [] });
    const since = await run("logs", "predictions", "--since", "2026-02-30");
    expect(since.exitCode).toBe(2);
    const serverOnly = await run("logs", "--group", "g1");
    expect(serverOnly.exitCode).toBe(2);
  });

  it("verify finds a corrupt artifact (exit 3) and names the fix", async () => {
    const shown = json(await ok("registry", "show", "intent:10", "-o", "json"));
    const bytes = await readFile(shown.location);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await chmod(shown.location, 0o644);
    await writeFile(shown.location, bytes);
    const result = await run("registry", "verify", "-o", "json");
    expect(result.exitCode).toBe(3);
    const problems = json(result).error.details.problems;
    expect(problems).toEqual([expect.objectContaining({ kind: "corrupt", subject: "intent:10" })]);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await writeFile(shown.location, bytes);
    await ok("registry", "verify");
  });
});
