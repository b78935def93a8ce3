import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { conflict, fromFsError, invalidInput } from "../../errors.js";
import { parseModelConfig, writeModelConfig } from "./config.js";
import type { TritonPackagePlan } from "./plan.js";

export { planTritonPackage, type TritonPackagePlan } from "./plan.js";

export interface TritonPackageResult {
  repository: string;
  model: string;
  version: string;
  status: "created" | "unchanged" | "replaced";
  configStatus: "created" | "unchanged" | "updated";
  files: string[];
  /** Written next to config.pbtxt: README.md, requirements.txt. */
  folderFiles: string[];
}

async function sameFiles(dir: string, files: { name: string; source: string }[]): Promise<boolean> {
  const present = await readdir(dir).catch(() => [] as string[]);
  if (present.length !== files.length) return false;
  for (const f of files) {
    const [a, b] = await Promise.all([
      readFile(join(dir, f.name)).catch(() => undefined),
      readFile(f.source).catch(() => undefined),
    ]);
    if (!a || !b || !a.equals(b)) return false;
  }
  return true;
}

/**
 * Adds the version to the repository without touching other models or versions:
 * the version folder is built under a hidden temp name and renamed into place,
 * and config.pbtxt is replaced by rename only when its content changes.
 */
export async function writeTritonPackage(
  plan: TritonPackagePlan,
  options: { force: boolean },
): Promise<TritonPackageResult> {
  const errors = plan.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw invalidInput(`the generated config would not load: ${errors[0]?.message}`, errors[0]?.hint, {
      diagnostics: errors,
    });
  const modelDir = join(plan.repository, plan.name);
  const versionDir = join(modelDir, plan.version);
  await mkdir(modelDir, { recursive: true }).catch((error) =>
    Promise.reject(fromFsError(error, modelDir, "repository")),
  );
  for (const f of plan.files)
    await stat(f.source).catch((error) => Promise.reject(fromFsError(error, f.source, "model file")));

  const configPath = join(modelDir, "config.pbtxt");
  const text = writeModelConfig(plan.config);
  const existing = await readFile(configPath, "utf8").catch(() => undefined);
  let configStatus: TritonPackageResult["configStatus"] = "created";
  if (existing !== undefined) {
    const read = parseModelConfig(existing);
    configStatus = read.ok && writeModelConfig(read.config) === text ? "unchanged" : "updated";
  }
  // A config that differs was likely edited by hand (instance groups, parameters): keep it unless told otherwise.
  if (configStatus === "updated" && !options.force) {
    throw conflict(
      `${plan.name}/config.pbtxt in ${plan.repository} differs from the one this package would write`,
      "Pass -f/--force to replace it (compare with --dry-run first), or move your edits into mserve.yaml's targets.triton.",
    );
  }
  let status: TritonPackageResult["status"] = "created";
  if (
    await stat(versionDir).then(
      () => true,
      () => false,
    )
  ) {
    if (await sameFiles(versionDir, plan.files)) status = "unchanged";
    else if (!options.force)
      throw conflict(
        `${plan.name}/${plan.version} already exists in ${plan.repository} with other files`,
        "Package a new version (-v), or pass -f/--force to replace this one.",
      );
    else status = "replaced";
  }
  if (status !== "unchanged") {
    const temp = reserveTempSibling(versionDir);
    try {
      await mkdir(temp);
      for (const f of plan.files) await cp(f.source, join(temp, f.name), { recursive: true });
      // The old version is renamed aside before the new one goes in, so a failure never leaves neither.
      const aside = status === "replaced" ? reserveTempSibling(versionDir) : undefined;
      if (aside) await rename(versionDir, aside);
      try {
        await rename(temp, versionDir);
      } catch (error) {
        if (aside) await rename(aside, versionDir).catch(() => {});
        throw error;
      }
      if (aside) {
        await rm(aside, { recursive: true, force: true });
        releaseTempPath(aside);
      }
      releaseTempPath(temp);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      releaseTempPath(temp);
      throw fromFsError(error, versionDir, "version folder");
    }
  }
  if (configStatus !== "unchanged") await replaceFile(configPath, text);
  // The README and requirements are mserve's own notes: rewritten whenever they change.
  for (const f of plan.folderFiles) {
    const content: string | Buffer =
      f.content !== undefined
        ? f.content
        : await readFile(f.source as string).catch((error) =>
            Promise.reject(fromFsError(error, f.source as string, "requirements file")),
          );
    const path = join(modelDir, f.name);
    const old = await readFile(path).catch(() => undefined);
    if (!old?.equals(Buffer.from(content))) await replaceFile(path, content);
  }
  return {
    repository: plan.repository,
    model: plan.name,
    version: plan.version,
    status,
    configStatus,
    files: plan.files.map((f) => f.name),
    folderFiles: plan.folderFiles.map((f) => f.name),
  };
}

async function replaceFile(path: string, content: string | Buffer): Promise<void> {
  const temp = reserveTempSibling(path);
  await writeFile(temp, content);
  await rename(temp, path);
  releaseTempPath(temp);
}
