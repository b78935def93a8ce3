import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkInferenceService } from "../../src/targets/kserve/manifest.js";
import { detectInferenceService, validateInferenceServiceFile } from "../../src/targets/kserve/validate.js";
import { repoRoot } from "../helpers/cli.js";

const samples = join(repoRoot, "test", "fixtures", "kserve-samples");
/** scripts/kserve-samples-oracle.py: PyYAML + jsonschema on the same vendored schema. */
const oracle = JSON.parse(
  readFileSync(join(repoRoot, "test", "fixtures", "kserve-samples.expected.json"), "utf8"),
) as Record<string, { isvc: number; accepted: boolean; errors: string[] }>;
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );

describe("KServe's own docs/samples (v0.20.0), as the vendored CRD with strict field validation takes them", () => {
  const all = files(samples).map((f) => relative(samples, f));
  it("has every sample the oracle judged", () => {
    expect(all.sort()).toEqual(Object.keys(oracle).sort());
  });
  it.each(all)("%s", async (file) => {
    const expected = oracle[file] as (typeof oracle)[string];
    const path = join(samples, file);
    const isvc = expected.isvc > 0 || expected.errors.some((e) => e.startsWith("YAML"));
    expect(await detectInferenceService(path)).toBe(isvc);
    if (!isvc) return;
    const result = await validateInferenceServiceFile(path, "/");
    expect(result.valid, JSON.stringify(result.diagnostics.slice(0, 3))).toBe(expected.accepted);
    for (const d of result.diagnostics)
      expect(d).toMatchObject({ file: expect.any(String), line: expect.any(Number) });
  });
});

describe("unknown fields at any depth", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mserve-isvc-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const validateText = async (text: string, name = "m.yaml") => {
    await writeFile(join(dir, name), text);
    return validateInferenceServiceFile(join(dir, name), "/");
  };
  const base = () => ({
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: { name: "typo" },
    spec: {
      predictor: {
        minReplicas: 1,
        maxReplicas: 2,
        scaleMetric: "rps",
        canaryTrafficPercent: 10,
        model: {
          modelFormat: { name: "sklearn" },
          protocolVersion: "v2",
          storageUri: "gs://b/m",
          resources: { limits: { cpu: "1" } },
        },
      },
    },
  });

  it("refuses each typo kubectl --validate=strict refuses, pointing at the key", async () => {
    const typos: [string, (m: ReturnType<typeof base>) => void, string][] = [
      [
        "minReplica",
        (m) => rename(m.spec.predictor, "minReplicas", "minReplica"),
        "spec.predictor.minReplica",
      ],
      [
        "maxReplica",
        (m) => rename(m.spec.predictor, "maxReplicas", "maxReplica"),
        "spec.predictor.maxReplica",
      ],
      [
        "storageURI",
        (m) => rename(m.spec.predictor.model, "storageUri", "storageURI"),
        "spec.predictor.model.storageURI",
      ],
      ["modl", (m) => rename(m.spec.predictor, "model", "modl"), "spec.predictor.modl"],
      [
        "modelformat",
        (m) => rename(m.spec.predictor.model, "modelFormat", "modelformat"),
        "spec.predictor.model.modelformat",
      ],
      [
        "protocolversion",
        (m) => rename(m.spec.predictor.model, "protocolVersion", "protocolversion"),
        "spec.predictor.model.protocolversion",
      ],
      [
        "scaleMetrics",
        (m) => rename(m.spec.predictor, "scaleMetric", "scaleMetrics"),
        "spec.predictor.scaleMetrics",
      ],
      [
        "resources.limit",
        (m) => rename(m.spec.predictor.model.resources, "limits", "limit"),
        "spec.predictor.model.resources.limit",
      ],
      [
        "canaryTrafficPercentage",
        (m) => rename(m.spec.predictor, "canaryTrafficPercent", "canaryTrafficPercentage"),
        "spec.predictor.canaryTrafficPercentage",
      ],
      ["metadata.nmae", (m) => rename(m.metadata, "name", "nmae"), "metadata.nmae"],
    ];
    for (const [what, mutate, path] of typos) {
      const manifest = base();
      mutate(manifest);
      const text = stringify(manifest);
      const result = await validateText(text);
      const hit = result.diagnostics.find((d) => d.rule === "isvc-unknown-field");
      expect(hit, what).toMatchObject({ path, severity: "error" });
      const key = path.split(".").at(-1) as string;
      const line = text.split("\n").findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1;
      expect(hit?.line, what).toBe(line);
      await expect(checkInferenceService(manifest), what).rejects.toThrow(/unknown field/);
    }
    const fixed = await validateText(stringify(base()));
    expect(fixed.diagnostics).toEqual([]);
  });

  it("suggests the field meant", async () => {
    const manifest = base();
    rename(manifest.spec.predictor, "minReplicas", "minReplica");
    const [d] = (await validateText(stringify(manifest))).diagnostics;
    expect(d?.hint).toMatch(/Did you mean "minReplicas"/);
  });

  it("renaming any key of every accepted sample is caught, except in free-form maps", async () => {
    let checked = 0;
    for (const [file, verdict] of Object.entries(oracle)) {
      if (!verdict.accepted) continue;
      const text = readFileSync(join(samples, file), "utf8");
      for (const doc of text.split(/^---\s*$/m)) {
        const value = parse(doc);
        if (value?.kind !== "InferenceService") continue;
        for (const path of objectPaths(value)) {
          if (FREE_MAPS.test(path.join("."))) continue;
          const copy = structuredClone(value);
          const parent = path.reduce((o, k) => o[k], copy);
          const key = Object.keys(parent).at(-1) as string;
          rename(parent, key, `${key}X`);
          const result = await validateText(stringify(copy), "mutated.yaml");
          const where = [...path, `${key}X`].map((k) => (typeof k === "number" ? `[${k}]` : k)).join(".");
          expect(
            result.diagnostics.some(
              (d) =>
                d.rule === "isvc-unknown-field" &&
                d.path?.replace(/\.\[/g, "[") === where.replace(/\.\[/g, "["),
            ),
            `${file}: ${where}`,
          ).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it("reads multi-document files, Lists and quoted kinds; names YAML errors with line:column", async () => {
    const one = stringify(base());
    const list = stringify({
      apiVersion: "v1",
      kind: "List",
      items: [base(), { ...base(), spec: { predictor: { modl: {} } } }],
    });
    const quoted = one.replace("kind: InferenceService", 'kind: "InferenceService"');
    await writeFile(join(dir, "q.yaml"), quoted);
    expect(await detectInferenceService(join(dir, "q.yaml"))).toBe(true);
    const multi = await validateText(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${one}---\n${one.replace("minReplicas", "minReplica")}`,
    );
    expect(multi).toMatchObject({ count: 2, valid: false });
    expect(multi.diagnostics[0]?.message).toMatch(/^document 3: unknown field "spec.predictor.minReplica"/);
    const listed = await validateText(list);
    expect(listed.count).toBe(2);
    expect(listed.diagnostics[0]).toMatchObject({ path: "items[1].spec.predictor.modl" });
    const broken = await validateText("kind: InferenceService\nmetadata:\n  name: x\n bad: [\n");
    expect(broken.diagnostics[0]).toMatchObject({ rule: "yaml-syntax", line: expect.any(Number) });
    const dup = await validateText(`${one}metadata: {name: y}\n`);
    expect(dup.diagnostics[0]).toMatchObject({ rule: "yaml-syntax" });
  });

  it("refuses duplicates in list-map and set lists, as the API server does", async () => {
    const m = base();
    const model = m.spec.predictor.model as Record<string, unknown>;
    model.env = [
      { name: "A", value: "1" },
      { name: "A", value: "2" },
    ];
    model.ports = [
      { containerPort: 8080 },
      { containerPort: 8080, protocol: "TCP" },
      { containerPort: 8080, protocol: "UDP" },
    ];
    const result = await validateText(stringify(m));
    expect(result.diagnostics.map((d) => d.path)).toEqual([
      "spec.predictor.model.env[1]",
      "spec.predictor.model.ports[1]",
    ]);
    expect(result.diagnostics[1]?.message).toMatch(
      /Duplicate value: \{containerPort: 8080, protocol: "TCP"\}/,
    );
  });

  it("takes YAML 1.1 booleans as Kubernetes does, refuses non-string labels and floats as quantities", async () => {
    const m = base() as Record<string, unknown> & ReturnType<typeof base>;
    const yes = stringify(m).replace("  predictor:\n", "  predictor:\n    hostNetwork: yes\n");
    expect((await validateText(yes)).valid).toBe(true);
    const label = await validateText(stringify({ ...m, metadata: { name: "x", labels: { version: 2 } } }));
    expect(label.diagnostics[0]).toMatchObject({ rule: "isvc-schema", path: "metadata.labels.version" });
    const cpu = stringify(m).replace('cpu: "1"', "cpu: 0.5");
    expect((await validateText(cpu)).diagnostics[0]?.message).toMatch(/must be an integer or a string/);
  });
});

function rename(o: Record<string, unknown>, from: string, to: string) {
  const entries = Object.entries(o).map(([k, v]) => [k === from ? to : k, v] as const);
  for (const k of Object.keys(o)) delete o[k];
  Object.assign(o, Object.fromEntries(entries));
}

/** Paths of every non-empty object (not arrays) in a manifest. */
function objectPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objectPaths(v, [...path, i]));
  if (!value || typeof value !== "object") return [];
  const own = Object.keys(value).length > 0 ? [path] : [];
  return [...own, ...Object.entries(value).flatMap(([k, v]) => objectPaths(v, [...path, k]))];
}

/** Maps whose keys are data, not field names (string maps and resource quantities). */
const FREE_MAPS =
  /(^|\.)(labels|annotations|nodeSelector|limits|requests|parameters|config|serviceAccountName)$|^status/;
