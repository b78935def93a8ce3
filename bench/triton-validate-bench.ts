import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { parsePbtxt } from "../src/pbtxt/parser.js";
import { schema } from "../src/pbtxt/schemas/triton-model-config.js";
import { median, table } from "./measure.js";

const MODELS = 500;
const TYPES = ["TYPE_FP32", "TYPE_INT64", "TYPE_STRING", "TYPE_FP16", "TYPE_INT32"];

/** A realistic config: a few inputs and outputs, batching on most, instance groups and parameters. */
function config(i: number): string {
  const inputs = Array.from(
    { length: 1 + (i % 4) },
    (_, k) =>
      `  {\n    name: "INPUT__${k}"\n    data_type: ${TYPES[(i + k) % TYPES.length]}\n    dims: [ ${k % 2 ? "-1, 128" : "3, 224, 224"} ]\n  }`,
  );
  const outputs = Array.from(
    { length: 1 + (i % 2) },
    (_, k) => `  {\n    name: "OUTPUT__${k}"\n    data_type: TYPE_FP32\n    dims: [ ${1000 + k} ]\n  }`,
  );
  return [
    `name: "model_${i}"`,
    `backend: "python"`,
    `max_batch_size: ${i % 5 === 0 ? 0 : 8 * (1 + (i % 4))}`,
    `input [\n${inputs.join(",\n")}\n]`,
    `output [\n${outputs.join(",\n")}\n]`,
    i % 5 === 0
      ? ""
      : `dynamic_batching {\n  preferred_batch_size: [ 4, 8 ]\n  max_queue_delay_microseconds: ${100 * i}\n}`,
    `instance_group [ { kind: KIND_CPU count: ${1 + (i % 3)} } ]`,
    `parameters { key: "EXECUTION_ENV_PATH" value: { string_value: "$$TRITON_MODEL_DIRECTORY/env_${i}.tar.gz" } }`,
    "# generated for mserve's validate benchmark",
    "",
  ].join("\n");
}

const PYTHON = `
import glob, sys, time
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2
files = sorted(glob.glob(sys.argv[1] + "/*/config.pbtxt"))
texts = [open(f).read() for f in files]
t = time.perf_counter()
for text in texts:
    text_format.Parse(text, model_config_pb2.ModelConfig())
print((time.perf_counter() - t) * 1000)
`;

export async function benchTritonValidate(
  tools: { node: string; mserveBin: string; root: string },
  workDir: string,
) {
  const repo = join(workDir, "triton-validate", "repo");
  await rm(join(workDir, "triton-validate"), { recursive: true, force: true });
  for (let i = 0; i < MODELS; i++) {
    await mkdir(join(repo, `model_${i}`, "1"), { recursive: true });
    await writeFile(join(repo, `model_${i}`, "config.pbtxt"), config(i));
    await writeFile(join(repo, `model_${i}`, "1", "model.py"), "");
  }
  const python = join(tools.root, ".venv-protobuf", "bin", "python");
  const runs = 7;
  const mserveWall: number[] = [];
  const pythonWall: number[] = [];
  const pythonParse: number[] = [];
  const mserveParse: number[] = [];
  const texts = await Promise.all(
    Array.from({ length: MODELS }, (_, i) => readFile(join(repo, `model_${i}`, "config.pbtxt"), "utf8")),
  );
  for (let r = 0; r < runs; r++) {
    let t = process.hrtime.bigint();
    const ours = await execa(tools.node, [tools.mserveBin, "validate", repo, "-o", "json"], {
      reject: false,
    });
    mserveWall.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (ours.exitCode !== 0)
      throw new Error(`mserve validate failed on the generated repository:\n${ours.stdout.slice(0, 2000)}`);
    t = process.hrtime.bigint();
    const theirs = await execa(python, ["-c", PYTHON, repo]);
    pythonWall.push(Number(process.hrtime.bigint() - t) / 1e6);
    pythonParse.push(Number(theirs.stdout.trim()));
    t = process.hrtime.bigint();
    for (const text of texts) parsePbtxt(text, schema);
    mserveParse.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const wallRatio = median(pythonWall) / median(mserveWall);
  const parseRatio = median(pythonParse) / median(mserveParse);
  const text = [
    `### Triton: validate a repository of ${MODELS} models`,
    "",
    table(
      ["what", `median of ${runs} (ms)`],
      [
        [
          "`mserve validate repo` (whole CLI: start-up, every config parsed and checked, version folders read)",
          median(mserveWall).toFixed(1),
        ],
        [
          "python + protobuf text_format.Parse of the same configs (start-up, imports, parse only)",
          median(pythonWall).toFixed(1),
        ],
        ["parse only, in process: mserve", median(mserveParse).toFixed(1)],
        ["parse only, in process: protobuf (Python, upb)", median(pythonParse).toFixed(1)],
      ],
    ),
    "",
    `mserve is ${wallRatio.toFixed(2)}× as fast end to end and ${parseRatio.toFixed(2)}× parsing alone (target: faster than the Python parser): ${wallRatio > 1 ? "met" : "NOT met"}`,
  ].join("\n");
  return { text, ok: wallRatio > 1 };
}
