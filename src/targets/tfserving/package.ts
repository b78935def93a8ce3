import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { conflict, fromFsError, invalidInput, usageError } from "../../errors.js";
import { pathExists } from "../../files.js";
import { checkModelName } from "../../model/names.js";
import {
  checkModelsConfig,
  type ModelServerConfig,
  parseModelsConfig,
  type ServedModel,
  servedVersions,
  writeModelsConfig,
} from "./models-config.js";
import { checkSavedModel } from "./saved-model.js";

export interface TfServingPackageOptions {
  savedModel: string;
  name: string;
  version: string;
  base: string;
  /** "latest:2", "all" or "specific:1,3"; kept as it is in models.config when absent. */
  versionPolicy?: string;
  /** label=version pairs to set (version_labels). */
  labels: Record<string, string>;
  force: boolean;
}

export interface TfServingPackageResult {
  model: string;
  version: string;
  path: string;
  modelsConfig: string;
  status: "created" | "replaced";
  served: number[];
  labels: Record<string, string | number>;
}

export function parseVersionPolicy(text: string): ServedModel["model_version_policy"] {
  if (text === "all") return { all: {} };
  const latest = /^latest(?::(\d+))?$/.exec(text);
  if (latest) return { latest: { num_versions: Number(latest[1] ?? 1) } };
  const specific = /^specific:(\d+(?:,\d+)*)$/.exec(text);
  if (specific) return { specific: { versions: (specific[1] as string).split(",").map(Number) } };
  throw usageError(`invalid --version-policy "${text}"`, "Use latest, latest:N, all, or specific:1,3.");
}

async function versionsOnDisk(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number);
}

/**
 * Places a SavedModel at <base>/<name>/<version>/ and records it in
 * <base>/models.config. The copy goes to a hidden sibling first and is renamed
 * in: TF Serving polls the folder and must never see a half-copied version.
 * models.config is parsed, changed and written back, so other models and
 * fields stay as they were; a label for a version that would not be served is refused.
 */
export async function packageTfServing(options: TfServingPackageOptions): Promise<TfServingPackageResult> {
  const name = checkModelName(options.name);
  if (!/^[1-9][0-9]*$/.test(options.version)) {
    throw invalidInput(
      `TF Serving versions are positive whole numbers, got "${options.version}"`,
      "Pass e.g. --version 3.",
    );
  }
  await checkSavedModel(options.savedModel);
  const base = resolve(options.base);
  const modelDir = join(base, name);
  const target = join(modelDir, options.version);
  const configPath = join(base, "models.config");

  const existingText = await readFile(configPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw fromFsError(error, configPath, "models.config");
  });
  let config: ModelServerConfig = { model_config_list: { config: [] } };
  if (existingText !== undefined) {
    const read = parseModelsConfig(existingText);
    if (!read.ok)
      throw invalidInput(
        `${configPath}:${read.line}:${read.column}: ${read.message}`,
        "Fix models.config first (`mserve validate` shows every problem).",
      );
    config = read.config;
  }
  const modelList = config.model_config_list ?? {};
  const list = modelList.config ?? [];
  modelList.config = list;
  config.model_config_list = modelList;
  let entry = list.find((m) => m.name === name);
  if (!entry) {
    entry = { name, base_path: modelDir, model_platform: "tensorflow" };
    list.push(entry);
  }
  if (options.versionPolicy) entry.model_version_policy = parseVersionPolicy(options.versionPolicy);
  if (Object.keys(options.labels).length > 0) {
    entry.version_labels = {
      ...(entry.version_labels ?? {}),
      ...Object.fromEntries(Object.entries(options.labels).map(([l, v]) => [l, Number(v)])),
    };
  }
  const exists = await pathExists(target);
  if (exists && !options.force)
    throw conflict(
      `${name}/${options.version} already exists in ${base}`,
      "Use a new --version, or pass -f/--force to replace it.",
    );
  const onDisk = [...new Set([...(await versionsOnDisk(modelDir)), Number(options.version)])];
  const problems = checkModelsConfig(config, (m) => (m.name === name ? onDisk : undefined)).filter(
    (p) => p.severity === "error",
  );
  if (problems.length > 0)
    throw invalidInput(
      problems[0]?.message as string,
      "Labels may only point at versions the version policy serves.",
      { problems },
    );

  await mkdir(modelDir, { recursive: true }).catch((error) =>
    Promise.reject(fromFsError(error, modelDir, "base folder")),
  );
  const temp = reserveTempSibling(target);
  try {
    await cp(options.savedModel, temp, { recursive: true, errorOnExist: true });
    if (exists) await rm(target, { recursive: true, force: true });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw fromFsError(error, target, "version folder");
  } finally {
    releaseTempPath(temp);
  }
  const configTemp = reserveTempSibling(configPath);
  await writeFile(configTemp, writeModelsConfig(config));
  await rename(configTemp, configPath);
  releaseTempPath(configTemp);
  return {
    model: name,
    version: options.version,
    path: target,
    modelsConfig: configPath,
    status: exists ? "replaced" : "created",
    served: servedVersions(entry, onDisk),
    labels: entry.version_labels ?? {},
  };
}
