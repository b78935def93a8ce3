import { existsSync } from "node:fs";
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toProtoJson } from "../../src/pbtxt/canonical.js";
import { parsePbtxt } from "../../src/pbtxt/parser.js";
import { schema } from "../../src/pbtxt/schemas/tfserving-model-server-config.js";
import { writePbtxt } from "../../src/pbtxt/writer.js";
import { type CliResult, mserve, repoRoot, tempProject } from "../helpers/cli.js";
import { randomMessageText, rng } from "../helpers/pbtxt-gen.js";
import { type OracleAnswer, protobufMissing, protobufParse } from "../helpers/protobuf-oracle.js";
import { requireOrSkip } from "../helpers/python.js";

/**
 * TF Serving layouts against real implementations: models.config written and
 * read by mserve agrees with TF Serving's own ModelServerConfig descriptors
 * (tensorflow-serving-api, parsed by google.protobuf), and a SavedModel placed
 * by `mserve package --target tfserving` loads in TensorFlow and answers.
 */
const tensorflowPython = join(
  process.env.MSERVE_TENSORFLOW_VENV ?? join(repoRoot, ".venv-tensorflow"),
  "bin",
  "python",
);
const missing =
  protobufMissing("tfserving") ??
  (existsSync(tensorflowPython) ? undefined : `${tensorflowPython} not found: run \`npm run setup:python\``);
requireOrSkip(missing, "the TF Serving tests");

const MODULE = "tensorflow_serving.config.model_server_config_pb2";
const MESSAGE = "tensorflow.serving.ModelServerConfig";
const json = (result: CliResult) => JSON.parse(result.stdout);

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, sorted(v)]),
    );
  }
  return typeof value === "number" && !Number.isInteger(value) ? Math.fround(value) : value;
}

function ours(text: string): OracleAnswer {
  try {
    return { ok: true, json: toProtoJson(parsePbtxt(text, schema), schema) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

describe.skipIf(Boolean(missing))(
  "TF Serving: models.config and SavedModel against real implementations",
  () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    const run = (...args: string[]) => mserve(args, { cwd: dir });

    beforeEach(async () => {
      ({ dir, cleanup } = await tempProject());
      await cp(join(repoRoot, "fixtures", "tfserving", "linear"), join(dir, "export"), { recursive: true });
    });
    afterEach(() => cleanup());

    it("reads models.config the way TF Serving's protobuf does (hand-written, generated and mserve-written)", async () => {
      const valid = [
        'model_config_list { config { name: "a" base_path: "/models/a" model_platform: "tensorflow" } }',
        'model_config_list: { config: [ { name: "a", base_path: "/m/a", model_version_policy: { specific: { versions: [1, 2] } }, version_labels { key: "stable" value: 1 } } ] }',
        'model_config_list { config { name: "b" base_path: "/m/b" model_version_policy { latest { num_versions: 2 } } } config { name: "c" base_path: "/m/c" model_version_policy { all {} } } }',
      ];
      const invalid = [
        'model_config_list { config { name "a" } }',
        'model_config_list { config { nme: "a" } }',
        'model_config_list { config { name: "a" model_version_policy { all {} latest {} } } }',
        'model_config_list { config { name: "a" version_labels { key: "s" value: "1" } } }',
      ];
      const r = rng(42);
      // custom_model_config is a google.protobuf.Any: the oracle's MessageToDict cannot print one
      // with an unknown type_url, so those texts say nothing about parsing and are left out.
      const generated = Array.from({ length: 400 }, () => randomMessageText(schema, schema.root, r)).filter(
        (t) => !t.includes("custom_model_config"),
      );
      const written = [...valid, ...generated]
        .filter((t) => ours(t).ok)
        .map((t) => writePbtxt(parsePbtxt(t, schema), schema));
      const texts = [...valid, ...invalid, ...generated, ...written];
      const theirs = await protobufParse(MODULE, MESSAGE, texts, "tfserving");
      const disagreements = texts.flatMap((text, i) => {
        const a = ours(text);
        const b = theirs[i] as OracleAnswer;
        if (a.ok !== b.ok)
          return [
            `${JSON.stringify(text)}: mserve ${a.ok ? "accepts" : a.error}; protobuf ${b.ok ? "accepts" : b.error}`,
          ];
        if (a.ok && b.ok && JSON.stringify(sorted(a.json)) !== JSON.stringify(sorted(b.json)))
          return [`${JSON.stringify(text)}: ${JSON.stringify(a.json)} vs ${JSON.stringify(b.json)}`];
        return [];
      });
      expect(disagreements.slice(0, 5)).toEqual([]);
      expect(theirs.slice(0, valid.length).every((t) => t.ok)).toBe(true);
      expect(theirs.slice(valid.length, valid.length + invalid.length).every((t) => !t.ok)).toBe(true);
    }, 60_000);

    it("places a SavedModel that TensorFlow loads and runs, with a models.config protobuf reads", async () => {
      const first = await run(
        "package",
        "--target",
        "tfserving",
        "--saved-model",
        "export",
        "--model-name",
        "linear",
        "-v",
        "1",
        "--base",
        "models",
        "-o",
        "json",
      );
      expect(first.exitCode, first.stderr).toBe(0);
      const second = json(
        await run(
          "package",
          "--target",
          "tfserving",
          "--saved-model",
          "export",
          "--model-name",
          "linear",
          "-v",
          "2",
          "--base",
          "models",
          "--version-policy",
          "all",
          "--label",
          "stable=1",
          "-o",
          "json",
        ),
      );
      expect(second).toMatchObject({ status: "created", served: [2, 1], labels: { stable: 1 } });
      expect((await readdir(join(dir, "models", "linear"))).sort()).toEqual(["1", "2"]);
      const script = `
import sys, os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
m = tf.saved_model.load(sys.argv[1])
print(float(m.signatures["serving_default"](x=tf.constant([[1.0, 2.0, 3.0]]))["y"].numpy()[0][0]))
`;
      const { stdout } = await execa(tensorflowPython, ["-c", script, join(dir, "models", "linear", "2")]);
      expect(Number(stdout.trim().split("\n").pop())).toBe(11.5);
      const configText = await readFile(join(dir, "models", "models.config"), "utf8");
      const [parsed] = await protobufParse(MODULE, MESSAGE, [configText], "tfserving");
      expect(parsed).toMatchObject({
        ok: true,
        json: {
          model_config_list: {
            config: [
              {
                name: "linear",
                model_platform: "tensorflow",
                version_labels: { stable: "1" },
                model_version_policy: { all: {} },
              },
            ],
          },
        },
      });
    }, 120_000);

    it("refuses bad input: not a SavedModel, bad versions, an existing version, a label of a version not served, a broken models.config", async () => {
      const pkg = (...extra: string[]) =>
        run("package", "--target", "tfserving", "--model-name", "linear", "--base", "models", ...extra);
      expect((await pkg("--saved-model", ".", "-v", "1")).stderr).toMatch(
        /is not a SavedModel: saved_model.pb is missing/,
      );
      for (const v of ["0", "v1", "1.5"])
        expect((await pkg("--saved-model", "export", "-v", v)).exitCode, v).toBe(3);
      expect((await pkg("--saved-model", "export", "-v", "1")).exitCode).toBe(0);
      const again = await pkg("--saved-model", "export", "-v", "1");
      expect(again.exitCode).toBe(5);
      expect((await pkg("--saved-model", "export", "-v", "1", "--force")).exitCode).toBe(0);
      const label = await pkg("--saved-model", "export", "-v", "2", "--label", "stable=1");
      expect(label.exitCode).toBe(3);
      expect(label.stderr).toMatch(
        /label "stable" of "linear" points at version 1, which is not served \(served: 2\)/,
      );
      // Nothing was placed for the refused version.
      expect(await readdir(join(dir, "models", "linear"))).toEqual(["1"]);
      await writeFile(
        join(dir, "models", "models.config"),
        'model_config_list {\n  config { name: "linear" base_path: "/x" }\n  config { name: "linear" base_path "/y" }\n}\n',
      );
      const broken = await pkg("--saved-model", "export", "-v", "3");
      expect(broken.exitCode).toBe(3);
      expect(broken.stderr).toMatch(/models\.config:3:37: expected ":"/);
      await writeFile(
        join(dir, "models", "models.config"),
        'model_config_list {\n  config { name: "linear" base_path: "/x" }\n  config { name: "linear" base_path: "/y" }\n}\n',
      );
      const dupes = json(await run("validate", "models/models.config", "-o", "json"));
      expect(dupes.error.details.diagnostics).toContainEqual(
        expect.objectContaining({ rule: "duplicate-model" }),
      );
    }, 60_000);
  },
);
