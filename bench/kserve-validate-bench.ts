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
  const runs = 7;
  const version: number[] = [];
  const cli: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = process.hrtime.bigint();
    await execa(tools.node, [tools.mserveBin, "--version"]);
    version.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    const result = await execa(tools.node, [tools.mserveBin, "validate", folder, "-o", "json"], {
      reject: false,
    });
    cli.push(Number(process.hrtime.bigint() - t) / 1e6);
    const report = JSON.parse(result.stdout) as { count?: number };
    if (result.exitCode !== 0 || report.count !== MANIFESTS)
      throw new Error(
        `mserve validate refused the generated manifests (exit ${result.exitCode}): ${result.stdout.slice(0, 500)}`,
      );
  }
  const files = (await readdir(folder)).length;
  const main = median(cli);
  const rows: [string, string][] = [
    ["`mserve --version` (start-up only)", median(version).toFixed(1)],
    [
      `\`mserve validate <folder of ${files}>\` (start-up, compiled schema, read + parse + check each)`,
      main.toFixed(1),
    ],
  ];
  const text = [
    `### KServe: validate ${files} InferenceService manifests`,
    "",
    table(["what", `median of ${runs} (ms)`], rows),
    "",
    `${files} manifests in ${main.toFixed(0)} ms end to end, ${(main / median(version)).toFixed(2)}× \`mserve --version\` (target: under 1000 ms): ${main < 1000 ? "met" : "NOT met"}`,
  ].join("\n");
  return { text, ok: main < 1000 };
}
