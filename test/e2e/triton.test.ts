import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CliResult, mserve, repoRoot, tempProject } from "../helpers/cli.js";
import { onnxModel } from "../helpers/onnx.js";

const json = (result: CliResult) => JSON.parse(result.stdout);

const GOOD = `backend: "python"
max_batch_size: 8
input [ { name: "TEXT" data_type: TYPE_STRING dims: [ 1 ] } ]
output [ { name: "INTENT" data_type: TYPE_STRING dims: [ 1 ] } ]
dynamic_batching { }
`;

describe("mserve validate / package / serve for Triton (no server needed)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const run = (...args: string[]) => mserve(args, { cwd: dir });
  const model = async (
    name: string,
    config: string,
    files: Record<string, string> = { "1/model.py": "" },
  ) => {
    await mkdir(join(dir, "repo", name), { recursive: true });
    await writeFile(join(dir, "repo", name, "config.pbtxt"), config);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(dir, "repo", name, path, ".."), { recursive: true });
      await writeFile(join(dir, "repo", name, path), content);
    }
  };
  const diagnostics = async (path: string) => {
    const result = await run("validate", path, "-o", "json");
    return {
      exitCode: result.exitCode,
      list: result.exitCode === 0 ? json(result).diagnostics : json(result).error.details.diagnostics,
    };
  };

  beforeEach(async () => {
    ({ dir, cleanup } = await tempProject());
  });
  afterEach(() => cleanup());

  it("accepts a good repository", async () => {
    await model("ok", GOOD);
    const result = await run("validate", "repo");
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/repo: valid/);
  });

  it("leaves what the backend auto-completes to it (a note), and refuses it with --strict-model-config (exit 3)", async () => {
    await model(
      "auto",
      'backend: "onnxruntime"\nmax_batch_size: 4\ninput [ { name: "x" data_type: TYPE_FP32 } ]\noutput [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n',
      { "1/model.onnx": "onnx" },
    );
    const lenient = await run("validate", "repo/auto", "-o", "json");
    expect(lenient.exitCode, lenient.stderr).toBe(0);
    expect(json(lenient).diagnostics).toEqual([
      expect.objectContaining({
        severity: "note",
        rule: "tensor-dims",
        message: expect.stringMatching(/auto-complete/),
      }),
    ]);
    const strict = await run("validate", "repo/auto", "--strict-model-config");
    expect(strict.exitCode).toBe(3);
    expect(strict.stdout).toMatch(/error \[tensor-dims\] .*input "x" must specify 'dims'/);
  });

  it("gives every bad input its own diagnostic and exit 3", async () => {
    const cases: [string, string, Record<string, string> | undefined, RegExp, string][] = [
      ["syntax", 'backend: "python"\nmax_batch_size 8\n', undefined, /expected ":"/, "config-syntax"],
      [
        "unknown",
        'backend: "python"\ninputs [ ]\n',
        undefined,
        /has no field named "inputs"/,
        "config-syntax",
      ],
      [
        "enum",
        'backend: "python"\ninput [ { name: "x" data_type: FP32 dims: [1] } ]\n',
        undefined,
        /unknown enumeration value of "FP32"/,
        "config-syntax",
      ],
      [
        "folder",
        `name: "other"\n${GOOD}`,
        undefined,
        /config name "other" does not match its folder "folder"/,
        "name-mismatch",
      ],
      ["nofile", GOOD, { "1/readme.txt": "" }, /nofile\/1\/model\.py is missing/, "model-file"],
      [
        "nobatch",
        GOOD.replace("max_batch_size: 8", "max_batch_size: 0").replace(
          "dynamic_batching { }",
          "dynamic_batching { preferred_batch_size: [ 4 ] }",
        ),
        undefined,
        /preferred size 4 must be <= max_batch_size \(0\)/,
        "dynamic-batching",
      ],
      [
        "zerodim",
        GOOD.replace("dims: [ 1 ] } ]\noutput", "dims: [ 0 ] } ]\noutput"),
        undefined,
        /has dim 0/,
        "tensor-dims",
      ],
      [
        "nodims",
        GOOD.replace("dims: [ 1 ] } ]\noutput", "} ]\noutput"),
        undefined,
        /input "TEXT" must specify 'dims'/,
        "tensor-dims",
      ],
      [
        "zeroreshape",
        GOOD.replace("dims: [ 1 ] } ]\noutput", "dims: [ 1 ] reshape: { shape: [ 0 ] } } ]\noutput"),
        undefined,
        /has reshape dim 0; reshape dimensions must be integers >= 1/,
        "reshape-dims",
      ],
      [
        "torchstr",
        'platform: "pytorch_libtorch"\nmax_batch_size: 0\ninput [ { name: "INPUT__0" data_type: TYPE_UINT16 dims: [1] } ]\noutput [ { name: "OUTPUT__0" data_type: TYPE_FP32 dims: [1] } ]\n',
        { "1/model.pt": "" },
        /pytorch backend does not support TYPE_UINT16/,
        "tensor-type",
      ],
      [
        "pair",
        'platform: "onnxruntime_onnx"\nbackend: "pytorch"\n',
        { "1/model.onnx": "" },
        /unexpected 'platform' and 'backend' pair/,
        "platform-backend",
      ],
      ["noversion", GOOD, {}, /has no version folder/, "no-version"],
      [
        "ensemble",
        'platform: "ensemble"\ninput [ { name: "IN" data_type: TYPE_STRING dims: [1] } ]\noutput [ { name: "OUT" data_type: TYPE_STRING dims: [1] } ]\nensemble_scheduling { step [ { model_name: "ghost" model_version: -1 input_map { key: "TEXT" value: "IN" } output_map { key: "INTENT" value: "OUT" } } ] }\n',
        { "1/.keep": "" },
        /the ensemble uses ghost, which is not in the repository/,
        "ensemble-model",
      ],
    ];
    for (const [name, config, files, message, rule] of cases) {
      await model(name, config, files);
      const { exitCode, list } = await diagnostics(join("repo", name));
      expect(exitCode, name).toBe(3);
      expect(list, name).toContainEqual(
        expect.objectContaining({ rule, message: expect.stringMatching(message) }),
      );
    }
    // What Triton 2.51 loads (checked against the real server in test/integration/triton-differential.test.ts)
    // is at most a warning: duplicate tensor names, dynamic_batching without batching.
    for (const [name, config, rule] of [
      [
        "dupe",
        GOOD.replace("output [", 'input [ { name: "TEXT" data_type: TYPE_FP32 dims: [1] } ]\noutput ['),
        "duplicate-tensor",
      ],
      ["nobatchok", GOOD.replace("max_batch_size: 8", "max_batch_size: 0"), "dynamic-batching"],
    ] as const) {
      await model(name, config);
      const { exitCode, list } = await diagnostics(join("repo", name));
      expect(exitCode, name).toBe(0);
      expect(list, name).toContainEqual(expect.objectContaining({ severity: "warning", rule }));
    }
    const syntax = (await diagnostics(join("repo", "syntax"))).list[0];
    expect(syntax).toMatchObject({ file: "config.pbtxt", line: 2, column: 16 });
    const text = await run("validate", join("repo", "syntax", "config.pbtxt"));
    expect(text.stdout).toMatch(/error \[config-syntax\] config\.pbtxt:2:16: expected ":"/);
  });

  it("adds versions to an existing repository without clobbering it, and refuses a changed version (exit 5)", async () => {
    const project = join(repoRoot, "fixtures", "intent", "mserve.yaml");
    const first = await run(
      "package",
      "--target",
      "triton",
      "--config",
      project,
      "--repository",
      "repo",
      "-o",
      "json",
    );
    expect(first.exitCode, first.stderr).toBe(0);
    await model("neighbour", GOOD);
    const second = json(
      await run(
        "package",
        "--target",
        "triton",
        "--config",
        project,
        "-v",
        "2",
        "--repository",
        "repo",
        "-o",
        "json",
      ),
    );
    expect(second).toMatchObject({ version: "2", status: "created", configStatus: "unchanged" });
    expect((await readdir(join(dir, "repo", "intent"))).sort()).toEqual([
      "1",
      "2",
      "README.md",
      "config.pbtxt",
      "requirements.txt",
    ]);
    expect(await readFile(join(dir, "repo", "neighbour", "config.pbtxt"), "utf8")).toBe(GOOD);
    await writeFile(join(dir, "repo", "intent", "2", "vocab.json"), "{}");
    const clash = await run(
      "package",
      "--target",
      "triton",
      "--config",
      project,
      "-v",
      "2",
      "--repository",
      "repo",
    );
    expect(clash.exitCode).toBe(5);
    expect(clash.stderr).toMatch(/intent\/2 already exists .* with other files/);
    const bad = await run(
      "package",
      "--target",
      "triton",
      "--config",
      project,
      "-v",
      "v2",
      "--repository",
      "repo",
    );
    expect(bad.exitCode).toBe(3);
    expect((await run("validate", "repo")).exitCode).toBe(0);
  });

  it("packages pytorch_libtorch, onnxruntime and tensorflow_savedmodel layouts that validate", async () => {
    await writeFile(join(dir, "model.pt"), "torchscript");
    await writeFile(
      join(dir, "model.onnx"),
      onnxModel({
        inputs: [{ name: "x", elemType: 1, shape: ["batch", 3] }],
        outputs: [{ name: "y", elemType: 1, shape: ["batch", 2] }],
      }),
    );
    await mkdir(join(dir, "saved", "variables"), { recursive: true });
    await writeFile(join(dir, "saved", "saved_model.pb"), "pb");
    const io = (input: string, output: string) =>
      `    inputs: [{ name: ${input}, data-type: TYPE_FP32, dims: [3] }]\n    outputs: [{ name: ${output}, data-type: TYPE_FP32, dims: [2] }]\n`;
    const layouts: [string, string, string, string, string[]][] = [
      ["pytorch", "model.pt", "INPUT__0", "OUTPUT__0", ["model.pt"]],
      ["onnxruntime", "model.onnx", "x", "y", ["model.onnx"]],
      ["tensorflow", "saved", "x", "y", ["model.savedmodel"]],
    ];
    for (const [backend, file, input, output, expected] of layouts) {
      await writeFile(
        join(dir, "mserve.yaml"),
        `name: m_${backend}\nversion: "1"\nserialized-file: ${file}\ntargets:\n  triton:\n    backend: ${backend}\n${io(input, output)}`,
      );
      const result = await run("package", "--target", "triton", "-o", "json");
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await readdir(join(dir, "model_repository", `m_${backend}`, "1"))).toEqual(expected);
    }
    const configText = await readFile(join(dir, "model_repository", "m_pytorch", "config.pbtxt"), "utf8");
    expect(configText).toMatch(/platform: "pytorch_libtorch"/);
    expect(configText).toMatch(/name: "INPUT__0"/);
    expect((await run("validate", "model_repository")).exitCode).toBe(0);
    // Without inputs the non-Python backends cannot be configured.
    await writeFile(
      join(dir, "mserve.yaml"),
      "name: bare\nversion: '1'\nserialized-file: model.pt\ntargets:\n  triton:\n    backend: pytorch\n",
    );
    const missing = await run("package", "--target", "triton");
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/the pytorch backend needs inputs and outputs[\s\S]*INPUT__0/);
  });

  it("init --target triton scaffolds each template, and refuses another target's template (exit 2)", async () => {
    const files: Record<string, string[]> = {
      python: ["mserve.yaml", "README.md", "model.py"],
      pytorch: ["mserve.yaml", "README.md", "export.py"],
      onnx: ["mserve.yaml", "README.md", "export.py"],
      ensemble: [
        "mserve.yaml",
        "README.md",
        "steps/scale/mserve.yaml",
        "steps/scale/model.py",
        "steps/shift/mserve.yaml",
        "steps/shift/model.py",
      ],
    };
    for (const [template, expected] of Object.entries(files)) {
      const result = await run(
        "init",
        "--target",
        "triton",
        "--template",
        template,
        `p_${template}`,
        "-o",
        "json",
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(json(result).files).toEqual(expected.map((f) => join(dir, `p_${template}`, f)));
    }
    expect(await readFile(join(dir, "p_python", "model.py"), "utf8")).toMatch(/class TritonPythonModel:/);
    // The python template packages as it is, with every key of its section used.
    const packaged = json(await run("package", "--config", "p_python/mserve.yaml", "-o", "json"));
    expect(packaged).toMatchObject({ model: "p_python", files: ["model.py"], folderFiles: ["README.md"] });
    const config = await readFile(
      join(dir, "p_python", "model_repository", "p_python", "config.pbtxt"),
      "utf8",
    );
    expect(config).toMatch(/preferred_batch_size: \[ 4, 8 \]\s+max_queue_delay_microseconds: 100/);
    expect((await run("init", "--target", "triton", "--template", "custom", "x")).exitCode).toBe(2);
    expect((await run("init", "--target", "tfserving", "x")).exitCode).toBe(2);
    expect(json(await run("init", "--template", "onnx", "implied", "-o", "json")).template).toBe("onnx");
  });

  it("packages ONNX with tensors read from the graph, --python-wrapper, and an ensemble checked against its steps", async () => {
    await writeFile(
      join(dir, "dyn.onnx"),
      onnxModel({
        inputs: [{ name: "features", elemType: 1, shape: ["batch", 4] }],
        outputs: [
          { name: "value", elemType: 1, shape: ["batch", 1] },
          { name: "label", elemType: 7, shape: ["batch"] },
        ],
      }),
    );
    await writeFile(
      join(dir, "fixed.onnx"),
      onnxModel({
        inputs: [{ name: "x", elemType: 1, shape: [1, 3] }],
        outputs: [{ name: "y", elemType: 1, shape: [1, "n"] }],
      }),
    );
    const project = async (name: string, body: string) => {
      await mkdir(join(dir, name), { recursive: true });
      await writeFile(join(dir, name, "mserve.yaml"), `name: ${name}\nversion: "1"\n${body}`);
      return `${name}/mserve.yaml`;
    };
    const dyn = await project(
      "dyn",
      "serialized-file: ../dyn.onnx\ntargets:\n  triton:\n    repository: ../repo\n",
    );
    expect((await run("package", "--target", "triton", "--config", dyn)).exitCode).toBe(0);
    const config = await readFile(join(dir, "repo", "dyn", "config.pbtxt"), "utf8");
    expect(config).toMatch(/platform: "onnxruntime_onnx"\nbackend: "onnxruntime"\nmax_batch_size: 8/);
    expect(config).toMatch(/name: "features"\s+data_type: TYPE_FP32\s+dims: \[ 4 \]/);
    expect(config).toMatch(/name: "label"\s+data_type: TYPE_INT64\s+dims: \[ 1 \]\s+reshape \{ \}/);
    const fixed = await project(
      "fixed",
      "serialized-file: ../fixed.onnx\ntargets:\n  triton:\n    repository: ../repo\n",
    );
    expect((await run("package", "--target", "triton", "--config", fixed)).exitCode).toBe(0);
    // No batching: max_batch_size 0 (the default, so not written) and dims with every dimension.
    const fixedConfig = await readFile(join(dir, "repo", "fixed", "config.pbtxt"), "utf8");
    expect(fixedConfig).not.toMatch(/max_batch_size/);
    expect(fixedConfig).toMatch(/dims: \[ 1, 3 \][\s\S]*dims: \[ 1, -1 \]/);
    const batched = await run(
      "package",
      "--target",
      "triton",
      "--config",
      fixed,
      "--max-batch-size",
      "4",
      "-f",
    );
    expect(batched.exitCode).toBe(3);
    expect(batched.stderr).toMatch(/"x" has shape \[1,3\], whose first dimension is not variable/);
    // The wrapper: a Python-backend model.py next to the same model.onnx, and a README naming onnxruntime.
    const wrapped = json(
      await run(
        "package",
        "--target",
        "triton",
        "--config",
        dyn,
        "--python-wrapper",
        "-v",
        "2",
        "-f",
        "-o",
        "json",
      ),
    );
    expect(wrapped.files).toEqual(["model.py", "model.onnx"]);
    expect(await readFile(join(dir, "repo", "dyn", "config.pbtxt"), "utf8")).toMatch(
      /^name: "dyn"\nbackend: "python"/,
    );
    expect(await readFile(join(dir, "repo", "dyn", "2", "model.py"), "utf8")).toMatch(
      /onnxruntime\.InferenceSession/,
    );
    expect(await readFile(join(dir, "repo", "dyn", "README.md"), "utf8")).toMatch(/- onnxruntime/);

    // An ensemble: its tensors come from the steps; a wrong mapping or a missing step is exit 3.
    await mkdir(join(dir, "steps"), { recursive: true });
    await writeFile(join(dir, "steps", "model.py"), "class TritonPythonModel:\n    pass\n");
    for (const step of ["a", "b"])
      await project(
        `step_${step}`,
        "targets:\n  triton:\n    repository: ../repo\n    model-file: ../steps/model.py\n    inputs: [{ name: IN, data-type: FP32, dims: [2] }]\n    outputs: [{ name: OUT, data-type: FP32, dims: [2] }]\n",
      );
    for (const step of ["a", "b"])
      expect(
        (await run("package", "--target", "triton", "--config", `step_${step}/mserve.yaml`)).exitCode,
      ).toBe(0);
    const steps = (mapA: string) =>
      `targets:\n  triton:\n    repository: ../repo\n    steps:\n      - { model: step_a, inputs: { ${mapA}: X }, outputs: { OUT: MID } }\n      - { model: step_b, inputs: { IN: MID }, outputs: { OUT: Y } }\n`;
    const ens = await project("ens", steps("IN"));
    expect((await run("package", "--target", "triton", "--config", ens)).exitCode).toBe(0);
    expect(await readdir(join(dir, "repo", "ens", "1"))).toEqual([]);
    expect(await readFile(join(dir, "repo", "ens", "config.pbtxt"), "utf8")).toMatch(
      /platform: "ensemble"\nmax_batch_size: 8\ninput \[\n {2}\{\n {4}name: "X"\n {4}data_type: TYPE_FP32\n {4}dims: \[ 2 \]/,
    );
    const validated = await run("validate", "repo/ens");
    expect(validated.exitCode, validated.stdout + validated.stderr).toBe(0);
    const bad = await project("bad", steps("INPUT"));
    const refused = await run("package", "--target", "triton", "--config", bad);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/step 1 \(step_a\) maps input "INPUT", which step_a does not have/);
    await writeFile(
      join(dir, "bad", "mserve.yaml"),
      `name: bad\nversion: "1"\n${steps("IN").replace("step_b", "ghost")}`,
    );
    const missing = await run("package", "--target", "triton", "--config", bad);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/step 2 \(ghost\): model "ghost" is not in/);
    // A project that names nothing to serve, and a model.py that is not a Triton model.
    const empty = await run("package", "--target", "triton", "--config", await project("empty", ""));
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/nothing in mserve\.yaml says what Triton should serve/);
    await writeFile(join(dir, "plain.py"), "print('hi')\n");
    const plain = await project(
      "plain",
      "targets:\n  triton:\n    model-file: ../plain.py\n    inputs: [{ name: A, data-type: FP32, dims: [1] }]\n    outputs: [{ name: B, data-type: FP32, dims: [1] }]\n",
    );
    const notTriton = await run("package", "--target", "triton", "--config", plain);
    expect(notTriton.exitCode).toBe(3);
    expect(notTriton.stderr).toMatch(/plain\.py defines no class TritonPythonModel/);
  });

  it("reports an unreadable config instead of crashing, and keeps a hand-edited config unless -f", async () => {
    await model("good", GOOD);
    await mkdir(join(dir, "repo", "loop"), { recursive: true });
    await symlink("config.pbtxt", join(dir, "repo", "loop", "config.pbtxt"));
    expect((await run("validate", join("repo", "good"))).exitCode).toBe(0);
    const whole = await diagnostics("repo");
    expect(whole.exitCode).toBe(3);
    expect(whole.list).toContainEqual(expect.objectContaining({ rule: "config-unreadable", model: "loop" }));

    const project = join(repoRoot, "fixtures", "intent", "mserve.yaml");
    expect(
      (await run("package", "--target", "triton", "--config", project, "--repository", "out")).exitCode,
    ).toBe(0);
    const configPath = join(dir, "out", "intent", "config.pbtxt");
    await writeFile(configPath, (await readFile(configPath, "utf8")).replace("count: 1", "count: 4"));
    const kept = await run(
      "package",
      "--target",
      "triton",
      "--config",
      project,
      "-v",
      "2",
      "--repository",
      "out",
    );
    expect(kept.exitCode).toBe(5);
    expect(kept.stderr).toMatch(/config\.pbtxt in .* differs/);
    expect((await readdir(join(dir, "out", "intent"))).sort()).toEqual([
      "1",
      "README.md",
      "config.pbtxt",
      "requirements.txt",
    ]);
    expect(await readFile(configPath, "utf8")).toMatch(/count: 4/);
  });

  it("prints the docker run line for Triton with --dry-run", async () => {
    const result = json(
      await run(
        "serve",
        "--target",
        "triton",
        "--runtime",
        "docker",
        "--ports",
        "9000,9001,9002",
        "--repository",
        "repo",
        "--dry-run",
        "-o",
        "json",
      ),
    );
    expect(result.command).toEqual(
      expect.arrayContaining([
        "docker",
        "run",
        "-d",
        "-p",
        "127.0.0.1:9000:8000",
        "-v",
        `${join(dir, "repo")}:/models`,
        "tritonserver",
        "--model-repository=/models",
        "--model-control-mode=explicit",
      ]),
    );
  });

  it("answers 6 when no Triton is reachable", async () => {
    const result = await run("models", "--target", "triton", "--url", "http://127.0.0.1:9");
    expect(result.exitCode).toBe(6);
  });
});
