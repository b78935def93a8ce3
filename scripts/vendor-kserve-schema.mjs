// Converts KServe's InferenceService CRD (YAML) into the JSON schema mserve vendors:
//   node scripts/vendor-kserve-schema.mjs serving.kserve.io_inferenceservices.yaml
// (config/crd/full/ of the KServe release named in schemas/kserve/SOURCE.md).
//
// The whole v1beta1 openAPIV3Schema is kept (no branch is pruned), with three changes:
// 1. Strict field validation, as the API server applies it (kubectl apply
//    --validate=strict, server-side field validation): every object schema that
//    lists properties gets additionalProperties: false, unless it carries
//    x-kubernetes-preserve-unknown-fields. Kubernetes prunes or refuses unknown
//    fields instead of declaring it, so the CRD itself never says so.
// 2. metadata (typed only as `object` in a CRD) gets the ObjectMeta fields the
//    API server itself validates, strictly too; label and annotation values are strings.
// 3. Descriptions are dropped and subtrees repeated across the schema (the
//    container, volume and probe schemas appear in predictor, transformer,
//    explainer, workerSpec and canary) are moved to `definitions` and referenced,
//    so the compiled validator holds each once.
import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";

const crd = parse(readFileSync(process.argv[2], "utf8"));
const version = crd.spec.versions.find((v) => v.name === "v1beta1");
if (!version) throw new Error("no v1beta1 version in the CRD");

const stringMap = { type: "object", additionalProperties: { type: "string" } };
// k8s.io/apimachinery pkg/apis/meta/v1 types.go ObjectMeta (JSON names).
const OBJECT_META = {
  type: "object",
  additionalProperties: false,
  properties: {
    name: { type: "string" },
    generateName: { type: "string" },
    namespace: { type: "string" },
    selfLink: { type: "string" },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer" },
    creationTimestamp: { type: ["string", "null"] },
    deletionTimestamp: { type: ["string", "null"] },
    deletionGracePeriodSeconds: { type: "integer" },
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["apiVersion", "kind", "name", "uid"],
        properties: {
          apiVersion: { type: "string" },
          kind: { type: "string" },
          name: { type: "string" },
          uid: { type: "string" },
          controller: { type: "boolean" },
          blockOwnerDeletion: { type: "boolean" },
        },
      },
    },
    finalizers: { type: "array", items: { type: "string" } },
    managedFields: { type: "array", items: { type: "object" } },
  },
};

let strictObjects = 0;
function convert(node, key) {
  if (Array.isArray(node)) return node.map((x) => convert(x));
  if (!node || typeof node !== "object") return node;
  // An embedded ObjectMeta (metadata, volumeClaimTemplate.metadata) is typed only as `object`.
  if (key === "metadata" && node.type === "object" && !node.properties) return structuredClone(OBJECT_META);
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "description" && typeof v === "string") continue;
    // Inside `properties` the keys are field names, each a schema.
    out[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, convert(s, p)]))
        : convert(v);
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out["x-kubernetes-preserve-unknown-fields"]
  ) {
    out.additionalProperties = false;
    strictObjects++;
  }
  return out;
}

const schema = convert(version.schema.openAPIV3Schema);

// Hoist repeated subtrees (serialized with sorted keys) of some size into definitions.
const canonical = (node) =>
  Array.isArray(node)
    ? `[${node.map(canonical).join(",")}]`
    : node && typeof node === "object"
      ? `{${Object.keys(node)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical(node[k])}`)
          .join(",")}}`
      : JSON.stringify(node);
const counts = new Map();
(function count(node) {
  if (!node || typeof node !== "object") return;
  if (!Array.isArray(node)) {
    const text = canonical(node);
    if (text.length >= 400) counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  for (const v of Object.values(node)) count(v);
})(schema);
const definitions = {};
const names = new Map();
function hoist(node, isSchema) {
  if (Array.isArray(node)) return node.map((x) => hoist(x, isSchema));
  if (!node || typeof node !== "object") return node;
  if (isSchema) {
    const text = canonical(node);
    if ((counts.get(text) ?? 0) > 1) {
      let name = names.get(text);
      if (!name) {
        name = `s${names.size}`;
        names.set(text, name);
        definitions[name] = hoistChildren(node);
      }
      return { $ref: `#/definitions/${name}` };
    }
  }
  return hoistChildren(node);
}
/** Only schema positions are hoisted: property maps and enum/default values are not schemas. */
function hoistChildren(node) {
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "properties" || k === "definitions")
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, hoist(s, true)]));
    else if (["items", "additionalProperties", "not"].includes(k) && v && typeof v === "object")
      out[k] = hoist(v, true);
    else if (["anyOf", "allOf", "oneOf"].includes(k)) out[k] = v.map((s) => hoist(s, true));
    else out[k] = v;
  }
  return out;
}
const hoisted = hoistChildren(schema);
hoisted.definitions = definitions;

writeFileSync(
  new URL("../schemas/kserve/inferenceservice-v1beta1.json", import.meta.url),
  `${JSON.stringify(hoisted)}\n`,
);
console.log(
  `${strictObjects} object schemas made strict; ${Object.keys(definitions).length} repeated subtrees moved to definitions`,
);
