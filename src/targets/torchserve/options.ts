import { resolve } from "node:path";
import type { z } from "zod";
import type { LoadedProject } from "../../config/project.js";
import { projectKeyLabel } from "../../config/project-label.js";
import { usageError } from "../../errors.js";
import type { Runtime } from "./manifest.js";
import type { ArchiveFormat, MarInputs } from "./plan.js";
import type { torchserveSection } from "./project-section.js";

/** The `mserve package` flags a .mar is made from (cli/specs and the torchserve descriptor declare them). */
export interface PackageFlags {
  modelName?: string;
  version?: string;
  serializedFile?: string;
  modelFile?: string;
  handler?: string;
  extraFiles?: string;
  requirementsFile?: string;
  configFile?: string;
  runtime?: "python" | "python3" | "LSP";
  archiveFormat?: ArchiveFormat;
  exportPath?: string;
  preservePaths?: boolean;
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
  const section = (file.targets?.torchserve ?? {}) as z.infer<typeof torchserveSection>;
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
  /** A value the project file set is named by its key and line:column; a flag by its flag. */
  const origin = (flag: string | undefined, keys: string[]) => {
    if (flag !== undefined || !project) return undefined;
    const key = keys.find((k) => project.positions?.[k] !== undefined);
    return key ? projectKeyLabel(project, key) : undefined;
  };
  const origins = Object.fromEntries(
    Object.entries({
      serializedFile: origin(flags.serializedFile, ["serialized-file"]),
      modelFile: origin(flags.modelFile, ["model-file"]),
      handler: origin(flags.handler, ["handler"]),
      extraFiles: origin(flags.extraFiles, ["extra-files"]),
      requirementsFile: origin(flags.requirementsFile, ["requirements-file"]),
      configFile: origin(flags.configFile, ["targets.torchserve.config-file", "config-file"]),
    }).filter(([, label]) => label !== undefined),
  );
  return {
    origins,
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
