import { cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import type { LoadedProject } from "../../config/project.js";
import { conflict, fromFsError, invalidInput, usageError } from "../../errors.js";
import { pathExists } from "../../files.js";
import { checkModelName, checkVersion } from "../../model/names.js";
import type { Flags } from "../target.js";
import type { MlserverSection, MlserverTensor } from "./project-section.js";
import {
  implementationFor,
  type ModelSettings,
  RUNTIMES,
  runtimeForFile,
  SETTINGS_FILE,
  type Tensor,
} from "./settings.js";
import { validateMlserver } from "./validate.js";

export interface MlserverPackagePlan {
  name: string;
  version: string;
  repository: string;
  /** <repository>/<name>/<version> */
  dir: string;
  settings: ModelSettings;
  /** Files copied next to model-settings.json: source path → name in the folder. */
  files: { from: string; name: string }[];
}

export interface MlserverPackageResult {
  model: string;
  version: string;
  path: string;
  status: "created" | "replaced";
  files: string[];
  settings: ModelSettings;
}

const tensor = (t: MlserverTensor): Tensor => ({
  name: t.name,
  datatype: t.datatype,
  shape: t.shape,
  ...(t["content-type"] ? { parameters: { content_type: t["content-type"] } } : {}),
});

/** The MLModel subclass a custom model's file defines: `class Name(MLModel)` or `(mlserver.MLModel)`. */
async function customImplementation(file: string): Promise<string> {
  const source = await readFile(file, "utf8").catch((error) =>
    Promise.reject(fromFsError(error, file, "model file")),
  );
  const found = /^class\s+(\w+)\s*\(\s*(?:mlserver\.)?MLModel\s*\)/m.exec(source)?.[1];
  if (!found)
    throw invalidInput(
      `${basename(file)} defines no MLModel subclass`,
      "A custom MLServer model is `class MyModel(MLModel)` with async load() and predict(); `mserve init --target mlserver --template custom` writes one.",
    );
  return `${basename(file).replace(/\.py$/, "")}.${found}`;
}

const listOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : typeof value === "string"
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];

/**
 * What `package --target mlserver` writes: NAME/VERSION/model-settings.json
 * and the model's files, from flags over mserve.yaml (`targets.mlserver` for
 * what only MLServer reads). The runtime follows the model file's extension
 * unless --implementation says otherwise; a model.py makes it a custom model.
 */
export async function planMlserverPackage(
  project: LoadedProject | undefined,
  flags: Flags,
  cwd: string,
): Promise<MlserverPackagePlan> {
  const config = project?.config;
  const section = (config?.targets?.mlserver ?? {}) as MlserverSection;
  const fromFlag = (key: string) =>
    typeof flags[key] === "string" ? resolve(cwd, flags[key] as string) : undefined;
  const fromProject = (value: string | undefined) =>
    value ? resolve(project?.dir ?? cwd, value) : undefined;
  const name = checkModelName((flags.modelName as string | undefined) ?? config?.name);
  const version = checkVersion((flags.version as string | undefined) ?? config?.version ?? "1");
  const serialized = fromFlag("serializedFile") ?? fromProject(config?.["serialized-file"]);
  const modelFile = fromFlag("modelFile") ?? fromProject(config?.["model-file"]);
  const chosen = (flags.implementation as string | undefined) ?? section.implementation;
  let implementation: string;
  if (chosen) implementation = implementationFor(chosen);
  else if (modelFile) implementation = await customImplementation(modelFile);
  else if (serialized) {
    const runtime = runtimeForFile(serialized);
    if (!runtime)
      throw usageError(
        `cannot tell which MLServer runtime loads ${basename(serialized)}`,
        `Pass --implementation sklearn|xgboost|lightgbm (they load ${Object.values(RUNTIMES)
          .map((r) => r.extensions.join("/"))
          .join(", ")}) or module.Class of a custom model.`,
      );
    implementation = RUNTIMES[runtime].implementation;
  } else
    throw usageError(
      "package --target mlserver needs a model file",
      "e.g. --serialized-file model.joblib (scikit-learn), model.json (XGBoost), model.txt (LightGBM), or --model-file model.py for a custom MLModel.",
    );
  const extras = [
    ...listOf(flags.extraFiles).map((f) => resolve(cwd, f)),
    ...listOf(config?.["extra-files"]).map((f) => fromProject(f) as string),
  ];
  const files = [serialized, modelFile, ...extras]
    .filter((f): f is string => Boolean(f))
    .map((from) => ({ from, name: basename(from) }));
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name) || f.name === SETTINGS_FILE)
      throw usageError(`two files would both be ${f.name} in the model folder`, "Rename one of them.");
    names.add(f.name);
  }
  const parameters: NonNullable<ModelSettings["parameters"]> = {
    ...(serialized ? { uri: `./${basename(serialized)}` } : {}),
    version,
    ...(section["content-type"] ? { content_type: section["content-type"] } : {}),
    ...(section.extra ? { extra: section.extra } : {}),
  };
  const settings: ModelSettings = {
    name,
    implementation,
    parameters,
    ...(section.inputs ? { inputs: section.inputs.map(tensor) } : {}),
    ...(section.outputs ? { outputs: section.outputs.map(tensor) } : {}),
    ...(section["max-batch-size"] !== undefined ? { max_batch_size: section["max-batch-size"] } : {}),
    ...(section["max-batch-time"] !== undefined ? { max_batch_time: section["max-batch-time"] } : {}),
  };
  const repository =
    fromFlag("repository") ?? fromProject(section.repository) ?? resolve(cwd, "model_repository");
  return { name, version, repository, dir: join(repository, name, version), settings, files };
}

export const settingsText = (settings: ModelSettings) => `${JSON.stringify(settings, null, 2)}\n`;

/**
 * Writes the version folder next to where it goes, checks it the way `mserve
 * validate` would, then renames it into place: a failed package leaves nothing.
 */
export async function writeMlserverPackage(
  plan: MlserverPackagePlan,
  options: { force: boolean },
): Promise<MlserverPackageResult> {
  const existed = await pathExists(plan.dir);
  if (existed && !options.force)
    throw conflict(
      `${plan.name} version ${plan.version} already exists in ${plan.repository}`,
      "Package another version (-v), or pass --force to replace it.",
    );
  await mkdir(join(plan.repository, plan.name), { recursive: true });
  const temp = reserveTempSibling(plan.dir);
  try {
    await mkdir(temp, { recursive: true });
    for (const f of plan.files)
      await cp(f.from, join(temp, f.name), { recursive: true }).catch((error) =>
        Promise.reject(fromFsError(error, f.from, "model file")),
      );
    await writeFile(join(temp, SETTINGS_FILE), settingsText(plan.settings));
    const report = await validateMlserver(temp, "/");
    const errors = report.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0)
      throw invalidInput(
        `${plan.name}:${plan.version} would not load in MLServer: ${errors[0]?.message}`,
        errors[0]?.hint,
        {
          diagnostics: errors,
        },
      );
    if (existed) await rm(plan.dir, { recursive: true, force: true });
    await rename(temp, plan.dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
    releaseTempPath(temp);
  }
  return {
    model: plan.name,
    version: plan.version,
    path: plan.dir,
    status: existed ? "replaced" : "created",
    files: [SETTINGS_FILE, ...plan.files.map((f) => f.name)],
    settings: plan.settings,
  };
}
