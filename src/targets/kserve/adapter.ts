import type { LoadedProject } from "../../config/project.js";
import { usageError } from "../../errors.js";
import { v1Predictor } from "../../protocols/v1/predictor.js";
import { v2Predictor } from "../../protocols/v2/predictor.js";
import { lines } from "../../ui/view.js";
import type { Flags, Target } from "../target.js";
import { connectKserve, type KserveConnection } from "./connect.js";
import type { ManifestOptions } from "./manifest.js";
import type { KserveSection } from "./project-section.js";

// Manifests, kubectl and doctor load their modules when used.

/** Sources KServe serves over the v2 protocol only: Triton, and MLServer's formats (kserve-mlserver). */
const V2_SOURCES: readonly string[] = ["triton", "sklearn", "xgboost", "lightgbm"];

/** The InferenceService: flags over mserve.yaml's `targets.kserve`; the name from --model-name or `name:`. */
function manifestOptions(flags: Flags, project: LoadedProject | undefined): ManifestOptions {
  const section = (project?.config.targets?.kserve ?? {}) as KserveSection;
  const pick = <T>(flag: unknown, key: keyof KserveSection): T | undefined =>
    (flag ?? section[key]) as T | undefined;
  const name = (flags.modelName as string | undefined) ?? project?.config.name;
  const storageUri = pick<string>(flags.storageUri, "storage-uri");
  if (!name || !storageUri) {
    throw usageError(
      "KServe needs --model-name and --storage-uri",
      "e.g. --model-name intent --storage-uri s3://bucket/models/intent (the folder mserve packaged for the server).",
    );
  }
  const source = pick<ManifestOptions["source"]>(flags.source, "source") ?? "torchserve";
  const minReplicas = pick<number>(flags.minReplicas, "min-replicas");
  const maxReplicas = pick<number>(flags.maxReplicas, "max-replicas");
  if (minReplicas !== undefined && maxReplicas !== undefined && maxReplicas < minReplicas) {
    throw usageError(`--max-replicas ${maxReplicas} is below --min-replicas ${minReplicas}`);
  }
  return {
    name,
    namespace: pick(flags.namespace, "namespace"),
    source,
    storageUri,
    protocol: pick<"v1" | "v2">(flags.protocol, "protocol") ?? (V2_SOURCES.includes(source) ? "v2" : "v1"),
    minReplicas,
    maxReplicas,
    scaleTarget: pick(flags.scaleTarget, "scale-target"),
    scaleMetric: pick(flags.scaleMetric, "scale-metric"),
    canaryTrafficPercent: pick(flags.canaryTrafficPercent, "canary-traffic-percent"),
    cpu: pick(flags.cpu, "cpu"),
    memory: pick(flags.memory, "memory"),
  };
}

async function checkedManifest(flags: Flags, project: LoadedProject | undefined) {
  const { buildInferenceService, checkInferenceService, manifestYaml } = await import("./manifest.js");
  const options = manifestOptions(flags, project);
  const manifest = buildInferenceService(options);
  await checkInferenceService(manifest);
  return { options, manifest, yaml: manifestYaml(manifest) };
}

export const kserveTarget: Target<KserveConnection> = {
  id: "kserve",

  connect: connectKserve,

  async package({ project, options, dryRun }, hooks) {
    const { options: o, manifest, yaml } = await checkedManifest(options, project);
    if (dryRun) return { data: manifest, view: { blocks: [lines(yaml)] } };
    const [
      { mkdir, rename, writeFile },
      { join, resolve },
      { reserveTempSibling },
      { releaseTempPath },
      { writeTorchServeStorage },
    ] = await Promise.all([
      import("node:fs/promises"),
      import("node:path"),
      import("../../archive/atomic-output.js"),
      import("../../archive/temp-paths.js"),
      import("./storage.js"),
    ]);
    const dir = resolve(hooks.cwd, (options.exportPath as string | undefined) ?? ".");
    await mkdir(dir, { recursive: true });
    const archive = options.archive as string | undefined;
    const storage = archive
      ? await writeTorchServeStorage(resolve(hooks.cwd, archive), join(dir, o.name), o.name)
      : undefined;
    const path = join(dir, `${o.name}.yaml`);
    const temp = reserveTempSibling(path);
    await writeFile(temp, yaml);
    await rename(temp, path);
    releaseTempPath(temp);
    return {
      data: { path, manifest, ...(storage ? { storage } : {}) },
      view: {
        quiet: path,
        blocks: [
          lines(
            ...(storage ? [`${storage.folder}  (upload this folder to ${o.storageUri})`] : []),
            path,
            yaml.replace(/\n$/, ""),
          ),
        ],
      },
      artifact: { path },
    };
  },

  validator: {
    detect: async (path, cwd) =>
      (await import("./validate.js")).detectInferenceService((await import("node:path")).resolve(cwd, path)),
    validate: async (path, cwd) => ({
      ...(await (await import("./validate.js")).validateInferenceServices(path, cwd)),
    }),
    fix: "Fix the fields named above; `mserve package --target kserve` writes manifests the CRD accepts.",
  },

  async deploy(connection, { source, options, timeoutMs }, hooks) {
    const project = source.kind === "project" ? source.project : undefined;
    if (source.kind !== "project")
      throw usageError(
        "deploy --target kserve applies an InferenceService built from flags and mserve.yaml, not a file",
        "Upload the artifact to --storage-uri, then: mserve deploy --target kserve --model-name NAME --storage-uri URI",
      );
    const { options: o, manifest, yaml } = await checkedManifest(options, project);
    if (options.dryRun) return { data: manifest, view: { blocks: [lines(yaml)] } };
    const { kubectlApply, kubectlWaitReady } = await import("./kubectl.js");
    const kube = { ...connection.kube, namespace: o.namespace ?? connection.kube.namespace };
    hooks.step(`applying InferenceService ${o.name}`);
    const applied = (await kubectlApply(yaml, kube)).trim();
    let ready = false;
    if (options.wait !== false) {
      hooks.step("waiting for Ready");
      await kubectlWaitReady(o.name, Math.ceil(timeoutMs / 1000), kube);
      ready = true;
    }
    return {
      data: { name: o.name, applied, ready, manifest },
      summary: `InferenceService ${o.name} ${ready ? "is Ready" : "applied"}`,
      view: { blocks: [lines(`${applied}${ready ? `\ninferenceservice/${o.name} is Ready` : ""}`)] },
    };
  },

  async models(connection, { ref }) {
    if (!ref)
      throw usageError(
        "models --target kserve needs a model name",
        "e.g. mserve models intent --target kserve --url http://ingress --host intent.default.example.com",
      );
    const client = connection.v2();
    const ready = await client.ready(ref.name, ref.version);
    const metadata = ready ? await client.metadata(ref.name, ref.version) : undefined;
    return {
      data: { name: ref.name, ready, ...(metadata ? { metadata } : {}) },
      view: {
        blocks: [
          lines(
            `${ref.name}  ${ready ? "READY" : "not ready"}`,
            ...(metadata
              ? [
                  ...metadata.inputs.map((t) => `  input   ${t.name} ${t.datatype} [${t.shape}]`),
                  ...metadata.outputs.map((t) => `  output  ${t.name} ${t.datatype} [${t.shape}]`),
                ]
              : []),
          ),
        ],
      },
    };
  },

  async predictor(connection, request) {
    if ((connection.protocol ?? "v1") === "v2")
      return v2Predictor(connection.v2(), { name: request.name, version: request.version, cwd: request.cwd });
    if (request.version)
      throw usageError(
        `KServe's v1 protocol cannot address a version (${request.name}:${request.version})`,
        "Use --protocol v2 (/v2/models/NAME/versions/V/infer), or leave the version out for the one the InferenceService serves.",
      );
    const client = connection.v1();
    return v1Predictor(client, {
      name: request.name,
      servable: {},
      cwd: request.cwd,
      textAsInstance: true,
      describe: async () => {
        await client.model(request.name);
        return {};
      },
    });
  },

  async doctor(d) {
    return (await import("./doctor.js")).kserveDoctor(d);
  },
};
