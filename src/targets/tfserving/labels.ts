import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { fromFsError, invalidInput, notFound } from "../../errors.js";
import { checkModelsConfig, parseModelsConfig, writeModelsConfig } from "./models-config.js";

/**
 * `release --target tfserving`: points a version_labels entry of models.config at
 * another version. TF Serving picks the change up on its next poll; a version it
 * would not serve is refused, as TF Serving itself would refuse the label.
 */
export async function moveVersionLabel(base: string, name: string, label: string, version: string) {
  const configPath = join(resolve(base), "models.config");
  const text = await readFile(configPath, "utf8").catch((error) =>
    Promise.reject(fromFsError(error, configPath, "models.config")),
  );
  const read = parseModelsConfig(text);
  if (!read.ok) throw invalidInput(`${configPath}:${read.line}:${read.column}: ${read.message}`);
  const model = (read.config.model_config_list?.config ?? []).find((m) => m.name === name);
  if (!model)
    throw notFound(
      `models.config has no model "${name}"`,
      "Place it first: mserve package --target tfserving …",
    );
  if (!/^[1-9][0-9]*$/.test(version))
    throw invalidInput(`TF Serving versions are positive whole numbers, got "${version}"`);
  const previous = model.version_labels?.[label];
  model.version_labels = { ...(model.version_labels ?? {}), [label]: Number(version) };
  const folder = resolve(base, model.base_path ?? name);
  const onDisk = (await readdir(folder).catch(() => [] as string[]))
    .filter((d) => /^[1-9][0-9]*$/.test(d))
    .map(Number);
  const problems = checkModelsConfig(read.config, (m) => (m.name === name ? onDisk : undefined)).filter(
    (p) => p.severity === "error",
  );
  if (problems.length > 0)
    throw invalidInput(
      problems[0]?.message as string,
      "Serve the version first (its folder and the version policy), then move the label.",
    );
  await replaceText(configPath, writeModelsConfig(read.config));
  return {
    name,
    label,
    version: Number(version),
    previous: previous === undefined ? undefined : Number(previous),
    modelsConfig: configPath,
    /** Puts models.config back as it was, byte for byte (a release whose registry step failed). */
    undo: () => replaceText(configPath, text),
  };
}

async function replaceText(path: string, text: string): Promise<void> {
  const temp = reserveTempSibling(path);
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } finally {
    releaseTempPath(temp);
  }
}
