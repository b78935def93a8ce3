// Compiles the vendored InferenceService schema into a standalone validator
// (ajv's standalone code generation), run by `npm run build`:
//   node scripts/build-kserve-validator.mjs [out.cjs]
// Compiling the whole schema takes ~1.2 s; loading the generated module takes
// ~20 ms, so `mserve validate` pays only the latter. The output is a build
// artifact (dist/, not committed): it follows from the committed schema, whose
// sha256 it records so a stale build is never used (src/targets/kserve/validate.ts).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const schemaFile = fileURLToPath(new URL("../schemas/kserve/inferenceservice-v1beta1.json", import.meta.url));
const out = process.argv[2] ?? fileURLToPath(new URL("../dist/kserve-isvc-validator.cjs", import.meta.url));
const text = readFileSync(schemaFile, "utf8");
// The same options as the runtime fallback in src/targets/kserve/validate.ts (AJV_OPTIONS).
const ajv = new Ajv.default({
  strict: false,
  allErrors: true,
  validateFormats: false,
  code: { source: true },
});
const validate = ajv.compile(JSON.parse(text));
const sha = createHash("sha256").update(text).digest("hex");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${standaloneCode.default(ajv, validate)}\nmodule.exports.schemaSha256 = ${JSON.stringify(sha)};\n`,
);
