import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOk, json, mserve, repoRoot, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * Exact releases on a real TorchServe: a version deployed from one archive and
 * released from another is never answered from the wrong one (exit 5 naming
 * both digests, fixed by deploy --replace), and re-packaging unchanged inputs
 * deploys as "unchanged".
 */
const missing = torchserveMissing();
requireOrSkip(missing, "the exact-release tests");

const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");

describe.skipIf(Boolean(missing))("exact releases on a real TorchServe", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  const run = (args: string[], cwd = dir) => mserve(args, { cwd, env });
  const ok = async (args: string[], cwd = dir) => expectOk(await run(args, cwd), args);
  /** The fixture packaged as tabx:1 from `folder`, whose labels may be renamed so its answers tell it apart. */
  const packageTabx = async (folder: string, exportPath: string, extra: string[] = []) =>
    json(
      await ok(
        [
          "package",
          "--handler",
          handler,
          "--model-name",
          "tabx",
          "-v",
          "1",
          "--export-path",
          exportPath,
          "-o",
          "json",
          ...extra,
        ],
        folder,
      ),
    );

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject("intent"));
    env = { MSERVE_TORCHSERVE_BIN: torchserveBin(), MSERVE_HOME: join(dir, ".mserve-home") };
    // Archive B: the same model with every label prefixed, so each answer says which archive gave it.
    await mkdir(join(dir, "b"));
    for (const f of [
      "model.pt",
      "model.py",
      "vocab.json",
      "requirements.txt",
      "model-config.yaml",
      "mserve.yaml",
    ])
      await cp(join(dir, f), join(dir, "b", f));
    const labels = JSON.parse(await readFile(join(dir, "index_to_name.json"), "utf8")) as Record<
      string,
      string
    >;
    await writeFile(
      join(dir, "b", "index_to_name.json"),
      JSON.stringify(Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, `B_${v}`]))),
    );
    await ok(["serve", "--name", "exact", "--ports", "auto", "--disable-token-auth", "--timeout", "180s"]);
  }, 300_000);

  afterAll(async () => {
    if (dir) {
      await run(["stop", "--all"]);
      await cleanup();
    }
  });

  it("refuses to answer PROD from archive A when PROD is archive B (exit 5, both digests), until deploy --replace", async () => {
    const a = await packageTabx(dir, "a");
    const b = await packageTabx(join(dir, "b"), "out");
    await ok(["deploy", "a/tabx.mar"]);
    const fromA = json(
      await ok(["predict", "tabx:1", "--data", "set a timer for ten minutes", "-o", "json"]),
    );
    expect(fromA.response.intent).toBe("set_timer");

    const pushed = json(await ok(["registry", "push", "b/out/tabx.mar", "-o", "json"]));
    expect(pushed).toMatchObject({ kind: "torchserve-archive", target: "torchserve" });
    const digestB: string = pushed.artifact.digest;
    expect(digestB).toMatch(/^[0-9a-f]{64}$/);
    await ok(["release", "tabx", "1", "--as", "PROD"]);

    // The digest A's store file carries, as `models` shows the URL it was registered from.
    const heldUrl: string = json(await ok(["models", "tabx", "-o", "json"])).models[0].modelUrl;
    const digestA = /-([0-9a-f]{12})\.mar$/.exec(heldUrl)?.[1] as string;
    expect(digestA).toMatch(/^[0-9a-f]{12}$/);
    expect(digestB.startsWith(digestA)).toBe(false);

    const refused = await run([
      "predict",
      "tabx",
      "PROD",
      "--data",
      "set a timer for ten minutes",
      "-o",
      "json",
    ]);
    expect(refused.exitCode, refused.stdout).toBe(5);
    const error = json(refused).error;
    expect(error.message).toContain(digestB);
    expect(error.message).toContain(digestA);
    expect(error.hint).toContain("mserve deploy tabx@PROD --replace");
    expect(error.details).toMatchObject({ expected: digestB, held: digestA });
    // Nothing was answered, so nothing was logged.
    expect(
      json(await ok(["logs", "predictions", "-o", "json"])).predictions.map(
        (p: { modelId?: string }) => p.modelId,
      ),
    ).not.toContain(pushed.id);
    for (const args of [
      ["models", "tabx", "PROD"],
      ["bench", "tabx@PROD", "--requests", "2", "--data", "hi"],
      ["deploy", "tabx@PROD"],
    ]) {
      const other = await run(args);
      expect(other.exitCode, `${args.join(" ")}\n${other.stderr}`).toBe(5);
      expect(other.stderr).toContain(digestB);
    }

    const replaced = json(await ok(["deploy", "tabx@PROD", "--replace", "-o", "json"]));
    expect(replaced).toMatchObject({ name: "tabx", version: "1", status: "replaced", digest: digestB });
    const fromB = json(
      await ok(["predict", "tabx", "PROD", "--data", "set a timer for ten minutes", "-o", "json"]),
    );
    expect(fromB.response.intent).toBe("B_set_timer");
    expect(fromB.modelId).toBe(pushed.id);
    const logged = json(await ok(["logs", "predictions", "--tail", "1", "-o", "json"])).predictions;
    expect(logged[0]).toMatchObject({ name: "tabx", version: "1", modelId: pushed.id });
    expect(a.sha256).not.toBe(b.sha256);
  }, 300_000);

  it("re-running package && deploy on unchanged inputs is unchanged (exit 0), a new createdOn notwithstanding", async () => {
    const first = json(
      await ok(["package", "--handler", handler, "-v", "7", "--export-path", "rerun", "-o", "json"]),
    );
    expect(json(await ok(["deploy", "rerun/intent.mar", "-o", "json"])).status).toBe("deployed");
    // createdOn has a resolution of one second.
    await new Promise((r) => setTimeout(r, 1_100));
    const second = json(
      await ok([
        "package",
        "--handler",
        handler,
        "-v",
        "7",
        "--export-path",
        "rerun",
        "--force",
        "-o",
        "json",
      ]),
    );
    expect(second.manifest.createdOn).not.toBe(first.manifest.createdOn);
    expect(second.sha256).not.toBe(first.sha256);
    const again = await ok(["deploy", "rerun/intent.mar"]);
    expect(again.stdout + again.stderr).toMatch(/unchanged/);
    expect(json(await ok(["deploy", "rerun/intent.mar", "-o", "json"])).status).toBe("unchanged");
  }, 240_000);
});
