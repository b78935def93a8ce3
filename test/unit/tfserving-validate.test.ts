import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readMetaGraphs } from "../../src/targets/tfserving/saved-model-proto.js";
import {
  detectTfServing,
  inspectTfServing,
  validateTfServing,
  versionOf,
} from "../../src/targets/tfserving/validate.js";
import { repoRoot } from "../helpers/cli.js";

/** fixtures/tfserving/linear: a real tf.saved_model.save export (export.py), x [-1,3] → y [-1,1]. */
const LINEAR = join(repoRoot, "fixtures", "tfserving", "linear");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mserve-tfs-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Protobuf wire bytes: length-delimited fields only (enough for a SavedModel's tags). */
const field = (n: number, body: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, body.length]), body]);
const savedModelTagged = (...tags: string[]) =>
  field(2, field(1, Buffer.concat(tags.map((t) => field(4, Buffer.from(t))))));

describe("TF Serving base folders and SavedModel version folders", () => {
  it("reads version names as TF Serving does (SimpleAtoi)", () => {
    expect(["1", "007", "12", "v1", "1.0", ".tmp-3", "saved_model"].map(versionOf)).toEqual([
      1,
      7,
      12,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("detects a version folder, a base path and a models.config folder", async () => {
    await cp(LINEAR, join(dir, "intent", "00001"), { recursive: true });
    await writeFile(
      join(dir, "models.config"),
      'model_config_list { config { name: "intent" base_path: "/models/intent" model_platform: "tensorflow" } }\n',
    );
    expect(await detectTfServing(join(dir, "intent", "00001"))).toBe("saved-model");
    expect(await detectTfServing(join(dir, "intent"))).toBe("base");
    expect(await detectTfServing(dir)).toBe("models-config");
    await mkdir(join(dir, "empty"));
    expect(await detectTfServing(join(dir, "empty"))).toBeUndefined();
  });

  it("validates every version of a base path; a stray folder is a note, a broken version an error", async () => {
    await cp(LINEAR, join(dir, "m", "1"), { recursive: true });
    await cp(LINEAR, join(dir, "m", "2"), { recursive: true });
    await mkdir(join(dir, "m", "v3"));
    const ok = await validateTfServing(join(dir, "m"), "/");
    expect(ok).toMatchObject({ kind: "base", valid: true });
    expect(ok.diagnostics).toEqual([expect.objectContaining({ severity: "note", rule: "version-folder" })]);
    await rm(join(dir, "m", "2", "variables", "variables.index"));
    const broken = await validateTfServing(join(dir, "m"), "/");
    expect(broken.valid).toBe(false);
    expect(broken.diagnostics).toContainEqual(
      expect.objectContaining({
        rule: "saved-model",
        file: "m/2",
        message: expect.stringMatching(/no variables\.index/),
      }),
    );
  });

  it("refuses a SavedModel without a MetaGraph tagged serve", async () => {
    await mkdir(join(dir, "1"));
    await writeFile(join(dir, "1", "saved_model.pb"), savedModelTagged("train"));
    expect(readMetaGraphs(savedModelTagged("train"))[0]?.tags).toEqual(["train"]);
    const result = await validateTfServing(join(dir, "1"), "/");
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ rule: "saved-model-tags", severity: "error" }),
    );
  });

  it("inspects versions, tags and signatures", async () => {
    await cp(LINEAR, join(dir, "m", "3"), { recursive: true });
    await cp(LINEAR, join(dir, "m", "10"), { recursive: true });
    const report = await inspectTfServing(join(dir, "m"), "/");
    expect(report).toMatchObject({ kind: "base", served: 10 });
    expect(report.versions.map((v) => v.version)).toEqual([3, 10]);
    const [graph] = report.versions[1]?.metaGraphs ?? [];
    expect(graph?.tags).toEqual(["serve"]);
    expect(graph?.signatures.find((s) => s.key === "serving_default")).toMatchObject({
      method: "tensorflow/serving/predict",
      inputs: { x: { dtype: "DT_FLOAT", shape: [-1, 3] } },
      outputs: { y: { dtype: "DT_FLOAT", shape: [-1, 1] } },
    });
    expect(report.versions[0]).toMatchObject({ variables: { index: true, shards: 1 }, fingerprint: true });
    const one = await inspectTfServing(join(dir, "m", "3"), "/");
    expect(one).toMatchObject({ kind: "saved-model", versions: [{ version: 3 }] });
  });
});
