import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/protocols/v2/npy.js";
import { locateTriton } from "../../src/targets/triton/locate.js";
import { cliIn, json, repoRoot, stopAllAndCleanup, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";

/**
 * The Triton path against a real tritonserver 2.51.0 (the binary nvidia-pytriton
 * ships, in .venv-triton): the intent fixture packaged for the Python backend,
 * deployed, and asked over the v2 protocol; broken models rejected the way
 * `mserve validate` predicts.
 */
const install = locateTriton({ ...process.env, PATH: "" }, repoRoot);
const missing = install
  ? undefined
  : "tritonserver (nvidia-pytriton in .venv-triton) not found: run `npm run setup:python`";
requireOrSkip(missing, "the Triton tests");

/** The Triton venv's Python: torch, onnx and onnxruntime, to make models and run them directly. */
const tritonPython = join(repoRoot, ".venv-triton", "bin", "python");

/**
 * A 4-feature regressor with two outputs, as TorchScript and as ONNX, and what
 * each gives when run directly (torch; onnxruntime) for INPUTS: the numbers the
 * served models must answer.
 */
const MAKE_MODELS = `
import json, sys
import numpy as np, onnxruntime, torch
from torch import nn

class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)
    def forward(self, features):
        h = torch.tanh(self.hidden(features))
        return self.out(h), h.sum(dim=1, keepdim=True)

torch.manual_seed(7)
model = Regressor().eval()
x = torch.tensor(json.loads(sys.argv[1]), dtype=torch.float32)
torch.jit.script(model).save("model.pt")
torch.onnx.export(model, (x,), "model.onnx", input_names=["features"], output_names=["value", "activation"],
                  dynamic_axes={"features": {0: "batch"}, "value": {0: "batch"}, "activation": {0: "batch"}}, dynamo=False)
with torch.inference_mode():
    value, activation = torch.jit.load("model.pt")(x)
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = 1
ort_value, ort_activation = onnxruntime.InferenceSession("model.onnx", options).run(None, {"features": x.numpy()})
print(json.dumps({"torch": [value.tolist(), activation.tolist()], "onnx": [ort_value.tolist(), ort_activation.tolist()]}))
`;
const INPUTS = [
  [1, 2, 3, 4],
  [0.5, -1.25, 3.75, 0],
  [-2, 0.1, 0.2, 9],
];

const RAISING_MODEL = `import os
import sys

for entry in reversed(os.environ.get("PYTHONPATH", "").split(os.pathsep)):
    if entry and entry not in sys.path:
        sys.path.insert(0, entry)

import triton_python_backend_utils as pb_utils  # noqa: E402,F401


class TritonPythonModel:
    def initialize(self, args):
        raise RuntimeError("weights are corrupt")

    def execute(self, requests):
        return []
`;

describe.skipIf(Boolean(missing))("Triton (real tritonserver from nvidia-pytriton)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let repository: string;
  let http: string;
  let metrics: string;
  const env = { MSERVE_TRITONSERVER_BIN: install?.bin ?? "" };
  const { run, ok } = cliIn(() => ({ cwd: dir, env }));

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    await cp(join(repoRoot, "fixtures", "intent"), join(dir, "intent"), { recursive: true });
    // The fixture's handler path is relative to the repo; the Triton package does not use it.
    const served = json(
      await ok("serve", "--target", "triton", "--name", "tri", "--ports", "auto", "-o", "json"),
    );
    repository = served.modelStore;
    http = served.urls.http;
    metrics = served.urls.metrics;
  }, 180_000);

  afterAll(() => stopAllAndCleanup(dir, run, cleanup));

  it("packages the intent fixture for the Python backend, deploys it, and answers v2 infer with the expected intents", async () => {
    const packaged = json(
      await ok(
        "package",
        "--target",
        "triton",
        "--config",
        "intent/mserve.yaml",
        "--repository",
        "repo",
        "-o",
        "json",
      ),
    );
    expect(packaged).toMatchObject({
      model: "intent",
      version: "1",
      status: "created",
      configStatus: "created",
    });
    await ok("validate", "repo");
    const deployed = json(await ok("deploy", "repo/intent", "--smoke", "turn on the lights", "-o", "json"));
    expect(deployed).toMatchObject({
      name: "intent",
      versions: ["1"],
      state: "READY",
      smoke: { INTENT: ["turn_on_lights"] },
    });
    const samples = (await readFile(join(dir, "intent", "samples.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const intents: string[] = [];
    for (let i = 0; i < samples.length; i += 6) {
      const texts = samples.slice(i, i + 6).map((s) => s.text);
      const answer = json(await ok("predict", "intent", "-i", `TEXT=${JSON.stringify(texts)}`, "-o", "json"));
      expect(answer.version).toBe("1");
      intents.push(...answer.response.INTENT);
    }
    expect(intents).toEqual(samples.map((s) => s.intent));
    // More rows than max_batch_size: refused before sending.
    const tooMany = await run(
      "predict",
      "intent",
      "-i",
      `TEXT=${JSON.stringify(samples.map((s) => s.text))}`,
    );
    expect(tooMany.exitCode).toBe(3);
    expect(tooMany.stderr).toMatch(/18 rows in one request, but intent takes at most 8/);
    const one = json(
      await ok("predict", "intent", "--version", "1", "--data", "set a timer for ten minutes", "-o", "json"),
    );
    expect(one.response.INTENT).toEqual(["set_timer"]);
    const models = json(await ok("models", "-o", "json")).models;
    expect(models).toContainEqual(expect.objectContaining({ name: "intent", version: "1", state: "READY" }));
  }, 240_000);

  it("bench counts exactly the inference requests Triton's own metrics count", async () => {
    /** nv_inference_request_success for the model: Triton's counter of answered inference requests. */
    const served = async () => {
      const text = await (await fetch(`${metrics}/metrics`)).text();
      const line = text
        .split("\n")
        .find((l) => l.startsWith("nv_inference_request_success{") && l.includes('model="intent"'));
      return Number(line?.split(" ").pop() ?? 0);
    };
    const before = await served();
    const doc = json(
      await ok(
        "bench",
        "intent",
        "--target",
        "triton",
        "--data",
        "play some jazz",
        "-n",
        "40",
        "-c",
        "1,2",
        "--warmup",
        "0s",
        "-o",
        "json",
      ),
    );
    expect(doc).toMatchObject({ model: "intent", target: "triton", interrupted: false });
    const requests = doc.levels.reduce((n: number, l: { requests: number; ok: number }) => n + l.requests, 0);
    expect(doc.levels.map((l: { ok: number }) => l.ok)).toEqual([40, 40]);
    expect((await served()) - before).toBe(requests);
    // An unknown model fails before any load is sent.
    const unknown = await run("bench", "ghost", "--target", "triton", "--data", "x", "-n", "5");
    expect(unknown.exitCode).toBe(4);
  });

  it("catches wrong tensor names, datatypes and shapes before sending (exit 3)", async () => {
    for (const [args, message] of [
      [["-i", "TXT=hi"], /intent has no input "TXT"[\s\S]*TEXT \(BYTES/],
      [["-i", "TEXT=3"], /input "TEXT" is BYTES, but some values are not strings/],
      [["-i", 'TEXT=[[["a"]]]'], /input "TEXT" has shape \[1,1,1\], but intent expects \[-1,1\]/],
    ] as const) {
      const result = await run("predict", "intent", ...args);
      expect(result.exitCode, result.stderr).toBe(3);
      expect(result.stderr).toMatch(message);
    }
  });

  it("rejects a broken config the way mserve validate predicted", async () => {
    await mkdir(join(repository, "typo", "1"), { recursive: true });
    await writeFile(join(repository, "typo", "1", "model.py"), "");
    await writeFile(
      join(repository, "typo", "config.pbtxt"),
      'backend: "python"\nmax_batch_size: 8\ninputs [ ]\n',
    );
    const predicted = await run("validate", join(repository, "typo"), "-o", "json");
    expect(predicted.exitCode).toBe(3);
    const diagnostic = json(predicted).error.details.diagnostics[0];
    expect(diagnostic).toMatchObject({ rule: "config-syntax", line: 3 });
    // The server itself, asked directly, refuses the same file; its log names the same field.
    const load = await fetch(`${http}/v2/repository/models/typo/load`, { method: "POST", body: "{}" });
    expect(load.status).not.toBe(200);
    const log = await readFile(join(dir, ".mserve-home", "servers", "tri", "logs", "triton.log"), "utf8");
    expect(log).toMatch(/3:\d+: Message type "inference.ModelConfig" has no field named "inputs"/);
    expect(diagnostic.message).toMatch(/has no field named "inputs"/);
    // mserve deploy stops before the server sees it.
    const deploy = await run("deploy", join(repository, "typo"));
    expect(deploy.exitCode).toBe(3);
  });

  it("surfaces the real reason when a model fails to load (exit 7), and takes out what it placed", async () => {
    await mkdir(join(dir, "broken", "1"), { recursive: true });
    await writeFile(join(dir, "broken", "1", "model.py"), RAISING_MODEL);
    await writeFile(
      join(dir, "broken", "config.pbtxt"),
      'backend: "python"\nmax_batch_size: 0\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n',
    );
    const result = await run("deploy", "broken", "-o", "json");
    expect(result.exitCode).toBe(7);
    const error = json(result).error;
    expect(error.message).toMatch(/Triton could not load broken: .*weights are corrupt/);
    // The failed deploy leaves no folder behind, so the index does not list it as UNAVAILABLE.
    expect(await readdir(repository)).not.toContain("broken");
    expect(json(await ok("models", "broken", "-o", "json")).models).toEqual([]);
  }, 120_000);

  it("serves a model the test writes: init --template python, edit, package, validate, deploy, predict numbers", async () => {
    await ok("init", "--target", "triton", "--template", "python", "reg");
    // The user's edit: OUTPUT0 is the sum of each row's 4 features, a [batch, 1] tensor.
    const modelPy = join(dir, "reg", "model.py");
    const scaffold = await readFile(modelPy, "utf8");
    expect(scaffold).toMatch(/y = x \* self\.scale/);
    // A row summing to more than 100 makes the model raise, as a handler refusing bad input would.
    await writeFile(
      modelPy,
      scaffold.replace(
        "y = x * self.scale",
        'if x.sum() > 100:\n                raise ValueError("bad input")\n            y = x.sum(axis=1, keepdims=True)',
      ),
    );
    const yaml = join(dir, "reg", "mserve.yaml");
    await writeFile(
      yaml,
      (await readFile(yaml, "utf8")).replace(
        "{ name: OUTPUT0, data-type: TYPE_FP32, dims: [4] }",
        "{ name: OUTPUT0, data-type: TYPE_FP32, dims: [1] }",
      ),
    );
    const packaged = json(await ok("package", "--config", "reg/mserve.yaml", "-o", "json"));
    expect(packaged).toMatchObject({ model: "reg", version: "1", files: ["model.py"] });
    await ok("validate", "reg/model_repository");
    await ok("deploy", "reg/model_repository/reg", "-o", "json");
    const answer = json(await ok("predict", "reg", "--data", "[[1,2,3,4],[0.5,0.5,0.5,0.5]]", "-o", "json"));
    expect(answer.response.OUTPUT0).toEqual([10, 2]);
    expect(answer.outputs).toEqual([{ name: "OUTPUT0", datatype: "FP32", shape: [2, 1], data: [10, 2] }]);
    // An object of named tensors, one row without its batch dimension, and the text form: an array.
    const named = await ok("predict", "reg", "--data", '{"INPUT0": [1, 1, 1, 1]}');
    expect(named.stdout).toBe("OUTPUT0 (FP32, shape [1, 1])\n[[4]]");
    // The model's exception, with its file:line, not only "HTTP 500".
    const raised = await run("predict", "reg", "--data", "[[100,200,3,4]]");
    expect(raised.exitCode).toBe(7);
    expect(raised.stderr).toMatch(/ValueError: bad input at \S+\/reg\/1\/model\.py:\d+ in execute/);
    const wrong = await run("predict", "reg", "--data", "[[1,2,3]]");
    expect(wrong.exitCode).toBe(3);
    expect(wrong.stderr).toMatch(/input "INPUT0" has shape \[1,3\], but reg expects \[-1,4\]/);
    expect(wrong.stderr).toMatch(/INPUT0 takes shape \[-1,4\].*e\.g\. \[\[0,0,0,0\]\]/);
    // --purge takes the folder out of the server's repository.
    await ok("unregister", "reg", "--purge", "--yes");
    expect(await readdir(repository)).not.toContain("reg");
    expect(json(await ok("models", "reg", "-o", "json")).models).toEqual([]);
  }, 180_000);

  it("serves TorchScript and ONNX through --python-wrapper with the numbers the models give directly; native configs validate and deploy is exit 3", async () => {
    const work = join(dir, "byo");
    await mkdir(work, { recursive: true });
    // torch.jit.script reads the module's source: the script is a file, not -c.
    await writeFile(join(work, "make_models.py"), MAKE_MODELS);
    const made = await execa(tritonPython, ["make_models.py", JSON.stringify(INPUTS)], { cwd: work });
    const direct = JSON.parse(made.stdout) as Record<"torch" | "onnx", [number[][], number[][]]>;
    const projects = [
      {
        name: "torchreg",
        file: "model.pt",
        expected: direct.torch,
        triton: [
          "    inputs: [{ name: INPUT__0, data-type: TYPE_FP32, dims: [4] }]",
          "    outputs:",
          "      - { name: OUTPUT__0, data-type: TYPE_FP32, dims: [2] }",
          "      - { name: OUTPUT__1, data-type: TYPE_FP32, dims: [1] }",
        ],
        platform: "pytorch_libtorch",
        tensors: { in: "INPUT__0", out: ["OUTPUT__0", "OUTPUT__1"] },
      },
      {
        name: "onnxreg",
        file: "model.onnx",
        expected: direct.onnx,
        triton: ["    instance-count: 1"],
        platform: "onnxruntime_onnx",
        tensors: { in: "features", out: ["value", "activation"] },
      },
    ];
    for (const p of projects) {
      const project = join(work, p.name);
      await mkdir(project);
      await cp(join(work, p.file), join(project, p.file));
      await writeFile(
        join(project, "mserve.yaml"),
        [
          `name: ${p.name}`,
          'version: "1"',
          `serialized-file: ${p.file}`,
          "targets:",
          "  triton:",
          ...p.triton,
          "",
        ].join("\n"),
      );
      const cfg = `byo/${p.name}/mserve.yaml`;
      await ok("package", "--target", "triton", "--config", cfg);
      const config = await readFile(join(project, "model_repository", p.name, "config.pbtxt"), "utf8");
      expect(config).toMatch(new RegExp(`platform: "${p.platform}"`));
      await ok("validate", `byo/${p.name}/model_repository`);
      const refused = await run("deploy", `byo/${p.name}/model_repository/${p.name}`, "-o", "json");
      expect(refused.exitCode, refused.stdout).toBe(3);
      expect(json(refused).error.hint).toMatch(/--python-wrapper/);
      expect(await readdir(repository)).not.toContain(p.name);

      await ok("package", "--target", "triton", "--config", cfg, "--python-wrapper", "-f");
      await ok("validate", `byo/${p.name}/model_repository`);
      await ok("deploy", `byo/${p.name}/model_repository/${p.name}`);
      const answer = json(
        await ok("predict", p.name, "--data", JSON.stringify({ [p.tensors.in]: INPUTS }), "-o", "json"),
      );
      const byName = Object.fromEntries(
        answer.outputs.map((o: { name: string; shape: number[]; data: number[] }) => [o.name, o]),
      );
      expect(byName[p.tensors.out[0] as string].shape).toEqual([3, 2]);
      expect(byName[p.tensors.out[0] as string].data).toEqual(p.expected[0].flat());
      expect(byName[p.tensors.out[1] as string].data).toEqual(p.expected[1].flat());
    }
  }, 240_000);

  it("deploys an ensemble of two Python steps and answers through both", async () => {
    await ok("init", "--target", "triton", "--template", "ensemble", "ens");
    await ok("package", "--config", "ens/steps/scale/mserve.yaml");
    await ok("package", "--config", "ens/steps/shift/mserve.yaml");
    await ok("package", "--config", "ens/mserve.yaml");
    await ok("validate", "ens/model_repository");
    const deployed = json(await ok("deploy", "ens/model_repository/ens", "-o", "json"));
    expect(deployed).toMatchObject({ name: "ens", state: "READY" });
    const answer = json(await ok("predict", "ens", "--data", "[[1,2,3,4],[0,0,0,0]]", "-o", "json"));
    expect(answer.response.OUTPUT).toEqual([3, 5, 7, 9, 1, 1, 1, 1]);
    expect((await readdir(repository)).sort()).toEqual(
      expect.arrayContaining(["ens", "ens_scale", "ens_shift"]),
    );
  }, 180_000);

  it("round-trips a float32 [8, 1024] tensor exactly: .npy in, --binary, --save", async () => {
    await ok("init", "--target", "triton", "--template", "python", "echo");
    const modelPy = join(dir, "echo", "model.py");
    await writeFile(modelPy, (await readFile(modelPy, "utf8")).replace("y = x * self.scale", "y = x"));
    const yaml = join(dir, "echo", "mserve.yaml");
    await writeFile(yaml, (await readFile(yaml, "utf8")).replaceAll("dims: [4]", "dims: [1024]"));
    await ok("package", "--config", "echo/mserve.yaml");
    await ok("deploy", "echo/model_repository/echo");
    // Values JSON would blur if mishandled: subnormals, -0, the largest float32, and random ones.
    await execa(
      tritonPython,
      [
        "-c",
        "import numpy as np; r = np.random.default_rng(3); x = r.standard_normal((8, 1024)).astype(np.float32); x[0, :4] = [np.float32(1e-45), -0.0, np.finfo(np.float32).max, np.float32(1/3)]; np.save('x.npy', x)",
      ],
      { cwd: dir },
    );
    const sent = readNpy(await readFile(join(dir, "x.npy")));
    for (const binary of [true, false]) {
      const out = binary ? "out-binary" : "out-json";
      const args = ["predict", "echo", "-i", "INPUT0=@x.npy", "--save", out, "-o", "json"];
      const answer = json(await ok(...args, ...(binary ? ["--binary"] : [])));
      expect(answer.outputs[0]).toMatchObject({ name: "OUTPUT0", datatype: "FP32", shape: [8, 1024] });
      const saved = readNpy(await readFile(join(dir, out, "OUTPUT0.npy")));
      expect(saved.datatype).toBe("FP32");
      expect(saved.shape).toEqual([8, 1024]);
      expect(saved.raw.equals(sent.raw), `${out} differs from x.npy`).toBe(true);
    }
    // NumPy reads what --save wrote, bit for bit.
    const check = await execa(
      tritonPython,
      [
        "-c",
        "import numpy as np; a = np.load('x.npy'); b = np.load('out-binary/OUTPUT0.npy'); print(b.dtype, b.shape, (a.view(np.uint32) == b.view(np.uint32)).all())",
      ],
      { cwd: dir },
    );
    expect(check.stdout).toBe("float32 (8, 1024) True");
  }, 120_000);

  it("unloads a model and then answers 4 for it", async () => {
    await ok("unregister", "intent", "--yes");
    const gone = await run("predict", "intent", "--data", "hi");
    expect(gone.exitCode).toBe(4);
  });
});
