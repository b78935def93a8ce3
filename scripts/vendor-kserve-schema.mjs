// Converts KServe's InferenceService CRD (YAML) into the JSON schema mserve vendors:
//   node scripts/vendor-kserve-schema.mjs serving.kserve.io_inferenceservices.yaml
// Descriptions are dropped, and the branches mserve never writes are reduced to
// "anything": compiling the whole 2 MB schema costs ~2 s per command, while
// every field mserve emits (metadata, spec.predictor with model, scaling,
// resources, canaryTrafficPercent) keeps its full schema.
import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";

const crd = parse(readFileSync(process.argv[2], "utf8"));
const version = crd.spec.versions.find((v) => v.name === "v1beta1");
const strip = (o) =>
  Array.isArray(o)
    ? o.map(strip)
    : o && typeof o === "object"
      ? Object.fromEntries(
          Object.entries(o)
            .filter(([k]) => k !== "description")
            .map(([k, v]) => [k, strip(v)]),
        )
      : o;
const schema = strip(version.schema.openAPIV3Schema);
export const UNCHECKED = {
  spec: ["canary", "explainer", "transformer"],
  predictor: [
    "workerSpec",
    "volumes",
    "initContainers",
    "containers",
    "affinity",
    "huggingface",
    "lightgbm",
    "onnx",
    "paddle",
    "pmml",
    "pytorch",
    "sklearn",
    "tensorflow",
    "triton",
    "xgboost",
  ],
};
for (const key of UNCHECKED.spec) schema.properties.spec.properties[key] = {};
for (const key of UNCHECKED.predictor) schema.properties.spec.properties.predictor.properties[key] = {};
schema.properties.status = {};
writeFileSync(
  new URL("../schemas/kserve/inferenceservice-v1beta1.json", import.meta.url),
  JSON.stringify(schema),
);
console.log(
  `unchecked: spec.${UNCHECKED.spec.join(", spec.")}, spec.predictor.${UNCHECKED.predictor.join(", spec.predictor.")}, status`,
);
