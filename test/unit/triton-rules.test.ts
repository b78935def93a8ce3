import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics.js";
import { parseModelConfig } from "../../src/targets/triton/config.js";
import { scanVersions, selectVersions } from "../../src/targets/triton/model-folder.js";
import { type CheckOptions, checkConfig } from "../../src/targets/triton/rules.js";
import { validateTriton } from "../../src/targets/triton/validate.js";

/**
 * What the differential harness cannot load (tritonserver from nvidia-pytriton
 * has only the Python backend): the rules for the other backends, written from
 * their sources, and where diagnostics point.
 */
function check(text: string, options: CheckOptions = {}): Diagnostic[] {
  const read = parseModelConfig(text);
  if (!read.ok) throw new Error(read.message);
  const out: Diagnostic[] = [];
  checkConfig(
    read.config,
    (severity, rule, message, _hint, where) => out.push({ severity, rule, message, ...where }),
    options,
  );
  return out;
}
const rules = (ds: Diagnostic[], severity: Diagnostic["severity"] = "error") =>
  ds.filter((d) => d.severity === severity).map((d) => d.rule);

describe("Triton rules beyond the Python backend", () => {
  it("ONNX and TensorRT may fill dims and types in default mode (a note); strict mode requires them", () => {
    const config =
      'platform: "onnxruntime_onnx"\ninput [ { name: "x" } ]\noutput [ { name: "y" data_type: TYPE_FP32 } ]\n';
    expect(rules(check(config))).toEqual([]);
    expect(rules(check(config), "note")).toEqual(["tensor-type", "tensor-dims", "tensor-dims"]);
    expect(rules(check(config, { strictModelConfig: true }))).toEqual([
      "tensor-type",
      "tensor-dims",
      "tensor-dims",
    ]);
  });

  it("PyTorch fills nothing: I/O gaps are errors in both modes, and it needs an input and an output", () => {
    const config = 'backend: "pytorch"\ninput [ { name: "INPUT__0" data_type: TYPE_FP32 } ]\n';
    expect(rules(check(config))).toEqual(["tensor-dims", "pytorch-io"]);
    expect(check(config).find((d) => d.rule === "pytorch-io")?.message).toMatch(/at least one output/);
  });

  it("PyTorch: UINT16/32/64 and BF16 are refused, TYPE_STRING only as a 1-D list", () => {
    const io = (type: string, dims: string, mbs = 0) =>
      `backend: "pytorch"\nmax_batch_size: ${mbs}\ninput [ { name: "INPUT__0" data_type: ${type} dims: ${dims} } ]\noutput [ { name: "OUTPUT__0" data_type: TYPE_FP32 dims: [ 1 ] } ]\n`;
    expect(rules(check(io("TYPE_UINT32", "[ 4 ]")))).toEqual(["tensor-type"]);
    expect(rules(check(io("TYPE_FP16", "[ 4 ]")))).toEqual([]);
    expect(rules(check(io("TYPE_STRING", "[ 1 ]")))).toEqual([]);
    expect(rules(check(io("TYPE_STRING", "[ 1 ]", 8)))).toEqual(["tensor-type"]);
  });

  it("pairs platforms only with the four backends core knows, and names an unknown platform", () => {
    expect(rules(check('backend: "onnxruntime"\nplatform: "tensorrt_plan"\n'))).toEqual(["platform-backend"]);
    expect(rules(check('backend: "vllm"\nplatform: "anything"\n'))).toEqual([]);
    expect(rules(check('platform: "mxnet_mxnet"\n'))).toEqual(["unknown-platform"]);
  });

  it("points semantic findings at their line and column", () => {
    const found = check(
      'backend: "python"\nmax_batch_size: 4\ninput [\n  { name: "x" data_type: TYPE_FP32 dims: [ 4 ]\n    reshape: { shape: [ 0 ] } }\n]\ndynamic_batching { preferred_batch_size: [ 8 ] }\n',
    );
    expect(found).toContainEqual(expect.objectContaining({ rule: "reshape-dims", line: 5, column: 5 }));
    expect(found).toContainEqual(expect.objectContaining({ rule: "dynamic-batching", line: 7, column: 20 }));
  });

  it("reads versions as core's VersionsToLoad does", () => {
    const { found, ignored } = scanVersions(["1", "01", "3", "warmup", "v2", "10abc"]);
    expect([...found.keys()].sort((a, b) => a - b)).toEqual([1, 3, 10]);
    expect(ignored.map((i) => i.folder)).toEqual(["01", "v2", "10abc"]);
    expect(selectVersions(undefined, found).versions).toEqual([10]);
    expect(selectVersions({ version_policy: { latest: {} } }, found).versions).toEqual([]);
    expect(selectVersions({ version_policy: { specific: { versions: [3, 7] } } }, found)).toMatchObject({
      versions: [3],
      missing: [7],
    });
  });
});

describe("model files per backend (validate on disk)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "mserve-triton-files-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const model = async (name: string, config: string, files: string[]) => {
    await mkdir(join(dir, name, "1"), { recursive: true });
    await writeFile(join(dir, name, "config.pbtxt"), config);
    for (const f of files) {
      await mkdir(join(dir, name, f, ".."), { recursive: true });
      await writeFile(join(dir, name, f), "");
    }
    return (await validateTriton(join(dir, name), "/")).diagnostics;
  };

  it("requires files only of backends known to read one", async () => {
    expect(rules(await model("vllm_model", 'backend: "vllm"\n', ["1/model.json"]))).toEqual([]);
    expect(rules(await model("trtllm", 'backend: "tensorrtllm"\n', []))).toEqual([]);
    expect(rules(await model("dali_auto", 'backend: "dali"\n', ["1/dali.py"]))).toEqual([]);
    expect(
      rules(
        await model(
          "fil_json",
          'backend: "fil"\nparameters { key: "model_type" value: { string_value: "xgboost_json" } }\n',
          ["1/xgboost.json"],
        ),
      ),
    ).toEqual([]);
    expect(rules(await model("fil_default", 'backend: "fil"\n', ["1/xgboost.json"]))).toEqual(["model-file"]);
    expect(
      rules(await model("onnx_dir", 'platform: "onnxruntime_onnx"\n', ["1/model.onnx/model.onnx"])),
    ).toEqual([]);
    expect(rules(await model("plan", 'platform: "tensorrt_plan"\n', []))).toEqual(["model-file"]);
  });

  it("without config.pbtxt: a note in default mode (autofill), an error with auto-complete off", async () => {
    await mkdir(join(dir, "bare", "1"), { recursive: true });
    await writeFile(join(dir, "bare", "1", "model.onnx"), "");
    const loose = (await validateTriton(join(dir, "bare"), "/")).diagnostics;
    expect(rules(loose)).toEqual([]);
    expect(rules(loose, "note")).toContain("config-missing");
    const strict = (await validateTriton(join(dir, "bare"), "/", { strictModelConfig: true })).diagnostics;
    expect(rules(strict)).toEqual(["config-missing"]);
  });
});
