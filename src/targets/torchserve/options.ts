import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { type LoadedProject, loadProjectFile, PROJECT_FILE } from "../../config/project.js";
import { usageError } from "../../errors.js";
import type { Runtime } from "./manifest.js";
import type { ArchiveFormat, MarInputs } from "./plan.js";

/** Raw `mserve package` flags as commander hands them over. */
export const packageFlagsSchema = z.object({
  config: z.string().optional(),
  target: z.enum(["torchserve", "triton", "tfserving", "kserve"]).optional(),
  savedModel: z.string().optional(),
  base: z.string().optional(),
  versionPolicy: z.string().optional(),
  label: z.array(z.string()).optional(),
  repository: z.string().optional(),
  maxBatchSize: z.string().optional(),
  tritonBackend: z.enum(["python", "pytorch", "onnxruntime", "tensorflow"]).optional(),
  modelName: z.string().optional(),
  version: z.string().optional(),
  serializedFile: z.string().optional(),
  modelFile: z.string().optional(),
  handler: z.string().optional(),
  extraFiles: z.string().optional(),
  requirementsFile: z.string().optional(),
  configFile: z.string().optional(),
  runtime: z.enum(["python", "python3", "LSP"]).optional(),
  archiveFormat: z.enum(["default", "zip-store", "tgz", "no-archive"]).optional(),
  exportPath: z.string().optional(),
  force: z.boolean().optional(),
  preservePaths: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  register: z.boolean().optional(),
  registry: z.string().optional(),
});
export type PackageFlags = z.infer<typeof packageFlagsSchema>;

/** `--config FILE`, else ./mserve.yaml when present, else none (flags only). */
export async function findProject(
  flags: { config?: string | undefined },
  cwd: string,
): Promise<LoadedProject | undefined> {
  if (flags.config) return loadProjectFile(resolve(cwd, flags.config));
  const candidate = join(cwd, PROJECT_FILE);
  const exists = await stat(candidate).then(
    (s) => s.isFile(),
    () => false,
  );
  return exists ? loadProjectFile(candidate) : undefined;
}

const splitList = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : (value ?? "").split(",")).map((s) => s.trim()).filter((s) => s !== "");

/**
 * Merges flags over mserve.yaml (its torchserve section over its top level)
 * over defaults. Flag paths resolve from the current folder, file paths from
 * the project file's folder.
 */
export function resolveMarInputs(
  flags: PackageFlags,
  project: LoadedProject | undefined,
  cwd: string,
): MarInputs {
  const file = project?.config ?? {};
  const section = file.targets?.torchserve ?? {};
  const fromFlag = (v: string | undefined) => (v === undefined ? undefined : resolve(cwd, v));
  const fromFile = (v: string | undefined) => (v === undefined ? undefined : resolve(project?.dir ?? cwd, v));
  const pick = (flag: string | undefined, ...fileValues: (string | undefined)[]) =>
    fromFlag(flag) ?? fromFile(fileValues.find((v) => v !== undefined));

  const modelName = flags.modelName ?? file.name;
  const version = flags.version ?? file.version;
  const handler = flags.handler ?? file.handler;
  const missing = [
    modelName === undefined && "--model-name (or `name:`)",
    version === undefined && "-v/--version (or `version:`)",
    handler === undefined && "--handler (or `handler:`)",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw usageError(
      `missing ${missing.join(", ")}`,
      project
        ? `Add them to ${project.file} or pass them as flags.`
        : "Pass them as flags, or run `mserve init` to create an mserve.yaml.",
    );
  }
  const extraFromFlags = flags.extraFiles !== undefined;
  return {
    modelName: modelName as string,
    version: version as string,
    handler: handler as string,
    runtime: (flags.runtime ?? section.runtime ?? file.runtime ?? "python") as Runtime,
    serializedFile: pick(flags.serializedFile, file["serialized-file"]),
    modelFile: pick(flags.modelFile, file["model-file"]),
    requirementsFile: pick(flags.requirementsFile, file["requirements-file"]),
    configFile: pick(flags.configFile, section["config-file"], file["config-file"]),
    extraFiles: extraFromFlags ? splitList(flags.extraFiles) : splitList(file["extra-files"]),
    archiveFormat: (flags.archiveFormat ??
      section["archive-format"] ??
      file["archive-format"] ??
      "default") as ArchiveFormat,
    exportPath: pick(flags.exportPath, section["export-path"], file["export-path"]) ?? cwd,
    preservePaths: flags.preservePaths ?? section["preserve-paths"] ?? file["preserve-paths"] ?? false,
    // Extra-file patterns are relative to where they were written down.
    baseDir: extraFromFlags || !project ? cwd : project.dir,
  };
}
