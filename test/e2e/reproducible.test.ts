import { createHash } from "node:crypto";
import { cp, readdir, readFile, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOk, json, mserve, repoRoot, tempProject } from "../helpers/cli.js";

/**
 * Reproducible packaging (reproducible-builds.org's SOURCE_DATE_EPOCH): the
 * same inputs give the same bytes, in every TorchServe format and in the tars
 * the registry stores for Triton and TF Serving versions, however the inputs'
 * times differ and whenever the package runs.
 */
const EPOCH = { SOURCE_DATE_EPOCH: "1700000000" };
const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");

let dir: string;
let cleanup: () => Promise<void>;
const run = (args: string[], env: Record<string, string> = {}) => mserve(args, { cwd: dir, env });
const ok = async (args: string[], env: Record<string, string> = {}) => expectOk(await run(args, env), args);

/** Every input gets a new time, and a second passes: what changes between two real builds. */
async function touchInputs(folder: string, names?: string[]) {
  const when = new Date(Date.now() + 60_000);
  for (const f of names ?? (await readdir(folder, { recursive: true })))
    await utimes(join(folder, f), when, when);
  await new Promise((r) => setTimeout(r, 1_100));
}

/** The project's own inputs (not what earlier builds wrote next to them). */
const INPUTS = [
  "model.pt",
  "model.py",
  "vocab.json",
  "index_to_name.json",
  "requirements.txt",
  "model-config.yaml",
];

/** Path, bytes, mode and time of every file under `root`: a folder's "bytes". */
async function snapshot(root: string) {
  const out: string[] = [];
  for (const f of (await readdir(root, { recursive: true })).sort()) {
    const info = await stat(join(root, f));
    if (info.isDirectory()) continue;
    const sha = createHash("sha256")
      .update(await readFile(join(root, f)))
      .digest("hex");
    out.push(`${f} ${info.mode.toString(8)} ${info.mtimeMs} ${sha}`);
  }
  return out;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempProject("intent"));
  await cp(join(repoRoot, "fixtures", "tfserving", "linear"), join(dir, "linear"), { recursive: true });
});
afterAll(() => cleanup?.());

describe("SOURCE_DATE_EPOCH", () => {
  it.each(["default", "zip-store", "tgz"])("packages a byte-identical %s archive twice", async (format) => {
    const build = async (out: string) =>
      json(
        await ok(
          ["package", "--handler", handler, "--archive-format", format, "--export-path", out, "-o", "json"],
          EPOCH,
        ),
      );
    const first = await build(`${format}-1`);
    await touchInputs(dir, INPUTS);
    const second = await build(`${format}-2`);
    expect(second.manifest.createdOn).toBe("14/11/2023 22:13:20");
    expect(second.sha256).toBe(first.sha256);
    expect((await readFile(second.path)).equals(await readFile(first.path))).toBe(true);
  });

  it("packages a no-archive folder with the same files, modes and times twice", async () => {
    const build = (out: string) =>
      ok(["package", "--handler", handler, "--archive-format", "no-archive", "--export-path", out], EPOCH);
    await build("folder-1");
    await touchInputs(dir, INPUTS);
    await build("folder-2");
    const [a, b] = [await snapshot(join(dir, "folder-1")), await snapshot(join(dir, "folder-2"))];
    expect(a.length).toBeGreaterThan(5);
    expect(b).toEqual(a);
    const manifest = JSON.parse(
      await readFile(join(dir, "folder-2", "intent", "MAR-INF", "MANIFEST.json"), "utf8"),
    );
    expect(manifest.createdOn).toBe("14/11/2023 22:13:20");
  });

  it("without it, two builds differ in bytes but not in content digest (the registry says unchanged)", async () => {
    const build = async (out: string) =>
      json(await ok(["package", "--handler", handler, "--export-path", out, "--register", "-o", "json"]));
    const first = await build("plain-1");
    await touchInputs(dir, INPUTS);
    const second = await build("plain-2");
    expect(second.sha256).not.toBe(first.sha256);
    expect(second.registry).toMatchObject({
      status: "unchanged",
      id: first.registry.id,
      kind: "torchserve-archive",
    });
    expect(second.registry.artifact.digest).toBe(first.registry.artifact.digest);
  });

  it("gives the Triton version tar the same bytes twice, from two repositories", async () => {
    await ok(["init", "--target", "triton", "--template", "python", "adder"]);
    const build = async (n: number) =>
      json(
        await ok(
          [
            "package",
            "--config",
            "adder/mserve.yaml",
            "--repository",
            `repo-${n}`,
            "--register",
            "--registry",
            `reg-${n}`,
            "-o",
            "json",
          ],
          EPOCH,
        ),
      ).registry;
    const first = await build(1);
    await touchInputs(join(dir, "adder"));
    const second = await build(2);
    expect(first).toMatchObject({ kind: "triton-version", format: "tgz", name: "adder", version: "1" });
    expect(second.artifact.sha256).toBe(first.artifact.sha256);
    const [a, b] = await Promise.all(
      [1, 2].map(
        async (n) =>
          json(await ok(["registry", "show", "adder:1", "--registry", `reg-${n}`, "-o", "json"])).location,
      ),
    );
    expect((await readFile(a)).equals(await readFile(b))).toBe(true);
  });

  it("gives the TF SavedModel version tar the same bytes twice, from two base folders", async () => {
    const build = async (n: number) =>
      json(
        await ok(
          [
            "package",
            "--target",
            "tfserving",
            "--saved-model",
            "linear",
            "--model-name",
            "linear",
            "-v",
            "3",
            "--base",
            `base-${n}`,
            "--register",
            "--registry",
            `tfreg-${n}`,
            "-o",
            "json",
          ],
          EPOCH,
        ),
      ).registry;
    const first = await build(1);
    await touchInputs(join(dir, "linear"));
    const second = await build(2);
    expect(first).toMatchObject({ kind: "tf-savedmodel", target: "tfserving", name: "linear", version: "3" });
    expect(second.artifact.sha256).toBe(first.artifact.sha256);
  });
});
