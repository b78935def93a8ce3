import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { stringify } from "yaml";
import { median, table } from "./measure.js";

const MANIFESTS = 500;
const FORMATS = ["sklearn", "pytorch", "triton", "tensorflow", "onnx", "xgboost"];

/** A realistic manifest: predictor model or containers, resources, scaling, sometimes a transformer. */
function manifest(i: number) {
  const model = {
    modelFormat: { name: FORMATS[i % FORMATS.length] },
    protocolVersion: i % 2 ? "v2" : "v1",
    storageUri: `s3://models/m${i}`,
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
    env: [{ name: "LOG_LEVEL", value: "info" }],
  };
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name: `m-${i}`,
      namespace: "models",
      labels: { team: "ml" },
      annotations: { owner: "bench" },
    },
    spec: {
      predictor: { minReplicas: 1, maxReplicas: 1 + (i % 5), scaleMetric: "rps", scaleTarget: 20, model },
      ...(i % 3 === 0
        ? {
            transformer: {
              containers: [
                {
                  name: "kserve-container",
                  image: "example/transformer:1",
                  args: ["--model_name", `m-${i}`],
                  ports: [{ containerPort: 8080, protocol: "TCP" }],
                  readinessProbe: { httpGet: { path: "/v1/models", port: 8080 }, periodSeconds: 5 },
                },
              ],
            },
          }
        : {}),
    },
  };
}

/** Validates a folder of manifests with the built module, one process, as `mserve validate <folder>` would. */
const FOLDER_SCRIPT = `
const [dist, folder] = process.argv.slice(1);
const { readdir } = await import("node:fs/promises");
const { join } = await import("node:path");
const { validateInferenceServiceFile } = await import(join(dist, "targets/kserve/validate.js"));
let invalid = 0;
for (const f of (await readdir(folder)).sort()) {
  const r = await validateInferenceServiceFile(join(folder, f), "/");
  if (!r.valid) invalid++;
}
process.stdout.write(String(invalid));
`;

/**
 * 500 InferenceService manifests validated end to end (process start, the
 * compiled schema loaded, every file read, parsed and checked) against
 * `mserve --version`. Target: under 1 s.
 */
export async function benchKserveValidate(
  tools: { node: string; mserveBin: string; root: string },
  workDir: string,
) {
  const folder = join(workDir, "kserve-validate", "manifests");
  await rm(join(workDir, "kserve-validate"), { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < MANIFESTS; i++)
    await writeFile(join(folder, `m-${String(i).padStart(3, "0")}.yaml`), stringify(manifest(i)));
  const dist = join(tools.root, "dist");
  const runs = 7;
  const version: number[] = [];
  const folderRuns: number[] = [];
  const cli: number[] = [];
  // Once the command layer takes a folder of manifests, time the real command too.
  const probe = await execa(tools.node, [tools.mserveBin, "validate", folder, "-o", "json"], {
    reject: false,
  });
  const cliWorks = probe.exitCode === 0 && /inferenceservice/.test(probe.stdout);
  for (let r = 0; r < runs; r++) {
    let t = process.hrtime.bigint();
    await execa(tools.node, [tools.mserveBin, "--version"]);
    version.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    const result = await execa(tools.node, ["--input-type=module", "-e", FOLDER_SCRIPT, dist, folder]);
    folderRuns.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (result.stdout !== "0") throw new Error(`${result.stdout} generated manifests were refused`);
    if (cliWorks) {
      t = process.hrtime.bigint();
      await execa(tools.node, [tools.mserveBin, "validate", folder, "-o", "json"]);
      cli.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const files = (await readdir(folder)).length;
  const main = cliWorks ? median(cli) : median(folderRuns);
  const rows: [string, string][] = [
    ["`mserve --version` (start-up only)", median(version).toFixed(1)],
    [
      `node + dist/targets/kserve/validate.js on ${files} files (start-up, compiled schema, read + parse + check each)`,
      median(folderRuns).toFixed(1),
    ],
  ];
  if (cliWorks) rows.push([`\`mserve validate <folder of ${files}>\``, median(cli).toFixed(1)]);
  const text = [
    `### KServe: validate ${files} InferenceService manifests`,
    "",
    table(["what", `median of ${runs} (ms)`], rows),
    "",
    `${files} manifests in ${main.toFixed(0)} ms end to end, ${(main / median(version)).toFixed(2)}× \`mserve --version\` (target: under 1000 ms): ${main < 1000 ? "met" : "NOT met"}${cliWorks ? "" : " (the validate command does not take a folder of manifests yet: timed through the module)"}`,
  ].join("\n");
  return { text, ok: main < 1000 };
}
