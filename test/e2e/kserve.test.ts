import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { checkInferenceService } from "../../src/targets/kserve/manifest.js";
import { type CliResult, mserve, repoRoot, tempProject } from "../helpers/cli.js";

/**
 * KServe manifests, checked against the InferenceService CRD schema vendored from
 * KServe v0.20.0, and deploys through test/fixtures/fake-kubectl, a recording
 * kubectl (no cluster here; the real kubectl on this machine cannot even
 * `apply --dry-run=client` without an API server to discover the kind).
 */
const fakeKubectl = join(repoRoot, "test", "fixtures", "fake-kubectl");
const json = (result: CliResult) => JSON.parse(result.stdout);

describe("KServe InferenceService manifests and kubectl", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let record: string;
  const run = (args: string[], env: Record<string, string> = {}) =>
    mserve(args, {
      cwd: dir,
      env: { PATH: `${fakeKubectl}:${process.env.PATH ?? ""}`, KUBECTL_RECORD: record, ...env },
    });
  const calls = async () =>
    (await readFile(record, "utf8").catch(() => ""))
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { args: string[]; stdin: string });

  beforeEach(async () => {
    ({ dir, cleanup } = await tempProject());
    record = join(dir, "kubectl.jsonl");
  });
  afterEach(() => cleanup());

  const base = ["--model-name", "intent", "--storage-uri", "s3://models/intent"];

  it("writes a manifest per source format with scaling, resources and a canary", async () => {
    for (const [source, format, protocol] of [
      ["torchserve", "pytorch", "v1"],
      ["triton", "triton", "v2"],
      ["tfserving", "tensorflow", "v1"],
      // MLServer's formats: KServe's kserve-mlserver runtime, over v2.
      ["sklearn", "sklearn", "v2"],
      ["xgboost", "xgboost", "v2"],
      ["lightgbm", "lightgbm", "v2"],
    ]) {
      const result = await run([
        "package",
        "--target",
        "kserve",
        ...base,
        "--source",
        source as string,
        "--min-replicas",
        "1",
        "--max-replicas",
        "4",
        "--scale-metric",
        "rps",
        "--scale-target",
        "50",
        "--canary-traffic-percent",
        "10",
        "--memory",
        "2Gi",
        "-o",
        "json",
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
      const manifest = parseYaml(await readFile(json(result).path, "utf8"));
      expect(manifest.spec.predictor).toMatchObject({
        minReplicas: 1,
        maxReplicas: 4,
        scaleMetric: "rps",
        scaleTarget: 50,
        canaryTrafficPercent: 10,
      });
      expect(manifest.spec.predictor.model).toMatchObject({
        modelFormat: { name: format },
        protocolVersion: protocol,
        storageUri: "s3://models/intent",
      });
      await checkInferenceService(manifest);
    }
    expect((await run(["validate", "intent.yaml"])).exitCode).toBe(0);
  });

  it("writes the storage folder KServe's TorchServe runtime reads: config.properties and model-store", async () => {
    const packaged = await run([
      "package",
      "--model-name",
      "intent",
      "--config",
      join(repoRoot, "fixtures", "intent", "mserve.yaml"),
      "--export-path",
      "dist",
    ]);
    expect(packaged.exitCode, packaged.stderr).toBe(0);
    const result = json(
      await run([
        "package",
        "--target",
        "kserve",
        ...base,
        "--archive",
        "dist/intent.mar",
        "--export-path",
        "kout",
        "-o",
        "json",
      ]),
    );
    expect(result.storage).toMatchObject({ model: "intent", version: "1" });
    expect(await readdir(join(dir, "kout", "intent", "model-store"))).toEqual(["intent.mar"]);
    const properties = await readFile(join(dir, "kout", "intent", "config", "config.properties"), "utf8");
    expect(properties).toMatch(/^model_store=\/mnt\/models\/model-store$/m);
    const snapshot = JSON.parse(/^model_snapshot=(.*)$/m.exec(properties)?.[1] ?? "{}");
    expect(snapshot.models.intent["1"]).toMatchObject({ defaultVersion: true, marName: "intent.mar" });
    const notAnArchive = await run([
      "package",
      "--target",
      "kserve",
      ...base,
      "--archive",
      "kout/intent.yaml",
    ]);
    expect(notAnArchive.exitCode).toBe(3);
  });

  it("names the failing field when a manifest breaks KServe's schema", async () => {
    await expect(
      checkInferenceService({
        apiVersion: "serving.kserve.io/v1beta1",
        kind: "InferenceService",
        metadata: { name: "x" },
        spec: { predictor: { minReplicas: "one", model: { modelFormat: { name: "pytorch" } } } },
      }),
    ).rejects.toThrow(/spec\.predictor\.minReplicas: must be of type integer/);
    await writeFile(
      join(dir, "bad.yaml"),
      "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: x\nspec:\n  predictor:\n    scaleMetric: latency\n",
    );
    const result = await run(["validate", "bad.yaml"]);
    expect(result.exitCode).toBe(3);
    // The diagnostics are the text result (stdout); stderr sums them up.
    expect(result.stdout).toMatch(
      /bad\.yaml:7:18: spec\.predictor\.scaleMetric: Unsupported value; supported values: "cpu", "memory", "concurrency", "rps"/,
    );
    expect(result.stderr).toMatch(/bad\.yaml: 1 error\(s\)/);
    for (const bad of [
      ["--canary-traffic-percent", "150"],
      ["--min-replicas", "3", "--max-replicas", "2"],
      ["--storage-uri", "/local/path"],
    ]) {
      expect((await run(["package", "--target", "kserve", ...base, ...bad])).exitCode, bad.join(" ")).toBe(2);
    }
  });

  it("validates a folder of manifests as kubectl apply -f DIR takes it: quoted kinds, several documents, other kinds noted", async () => {
    const manifests = join(dir, "manifests");
    await mkdir(manifests);
    const isvc = (name: string, predictor: string) =>
      `apiVersion: serving.kserve.io/v1beta1\nkind: "InferenceService"\nmetadata:\n  name: ${name}\nspec:\n  predictor:\n${predictor}`;
    const model = "    model:\n      modelFormat: {name: sklearn}\n      storageUri: gs://b/m\n";
    await writeFile(join(manifests, "a.yaml"), isvc("a", model));
    await writeFile(join(manifests, "b.yml"), `${isvc("b", model)}---\n${isvc("c", model)}`);
    await writeFile(join(manifests, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n");
    const good = await run(["validate", "manifests", "-o", "json"]);
    expect(good.exitCode, good.stderr).toBe(0);
    expect(json(good)).toMatchObject({
      kind: "inferenceservice",
      valid: true,
      count: 3,
      diagnostics: [{ severity: "note", rule: "isvc-skipped", file: "secret.yaml" }],
    });
    // A typo two levels down in the second document of one file fails the whole folder.
    await writeFile(
      join(manifests, "b.yml"),
      `${isvc("b", model)}---\n${isvc("c", `    minReplica: 1\n${model}`)}`,
    );
    const bad = await run(["validate", "manifests"]);
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toMatch(/b\.yml:\d+:5: document 2: unknown field "spec\.predictor\.minReplica"/);
  });

  it("applies with kubectl apply -f - and waits for Ready; --dry-run applies nothing", async () => {
    const dry = await run(["deploy", "--target", "kserve", ...base, "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/kind: InferenceService/);
    expect(await calls()).toEqual([]);
    const result = await run([
      "deploy",
      "--target",
      "kserve",
      ...base,
      "--namespace",
      "ml",
      "--timeout",
      "90s",
      "-o",
      "json",
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(json(result)).toMatchObject({ name: "intent", ready: true });
    const [apply, wait] = await calls();
    expect(apply?.args).toEqual(["-n", "ml", "apply", "-f", "-"]);
    expect(parseYaml(apply?.stdin ?? "")).toMatchObject({
      kind: "InferenceService",
      metadata: { name: "intent", namespace: "ml" },
    });
    expect(wait?.args).toEqual([
      "-n",
      "ml",
      "wait",
      "--for=condition=Ready",
      "inferenceservice/intent",
      "--timeout=90s",
    ]);
  });

  it("surfaces kubectl's failures: refused (exit 7), not Ready in time (exit 8), missing (exit 4)", async () => {
    const refused = await run(["deploy", "--target", "kserve", ...base], { FAKE_KUBECTL_FAIL: "apply" });
    expect(refused.exitCode).toBe(7);
    expect(refused.stderr).toMatch(/kubectl apply failed \(exit 1\): Error from server \(Forbidden\)/);
    const slow = await run(["deploy", "--target", "kserve", ...base], { FAKE_KUBECTL_FAIL: "wait" });
    expect(slow.exitCode).toBe(8);
    expect(slow.stderr).toMatch(/timed out waiting for the condition/);
    // A PATH with node and nothing else (kubectl usually sits next to node in /usr/bin).
    const onlyNode = join(dir, "only-node");
    await mkdir(onlyNode);
    await symlink(process.execPath, join(onlyNode, "node"));
    const missing = await mserve(["deploy", "--target", "kserve", ...base], {
      cwd: dir,
      env: { PATH: onlyNode },
    });
    expect(missing.exitCode).toBe(4);
    expect(missing.stderr).toMatch(/kubectl not found/);
  });
});
