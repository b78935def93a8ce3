import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CliResult, mserve, repoRoot, tempProject } from "../helpers/cli.js";

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
    expect((await readdir(join(dir, "repo", "intent"))).sort()).toEqual(["1", "2", "config.pbtxt"]);
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
    await writeFile(join(dir, "model.onnx"), "onnx");
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
    expect(await readdir(join(dir, "out", "intent"))).toEqual(["1", "config.pbtxt"]);
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
