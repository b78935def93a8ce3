import { realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { ArchiveEntry } from "../../archive/entries.js";
import { expandGlob, hasMagic } from "../../archive/glob.js";
import { normalizedMode } from "../../archive/source-date.js";
import { walkFiles } from "../../archive/walk.js";
import { fromFsError, invalidInput, MserveError } from "../../errors.js";
import { checkModelName, checkVersion } from "../../model/names.js";
import { BUILTIN_HANDLERS, parseHandler } from "./handlers.js";
import {
  buildManifest,
  MANIFEST_PATH,
  type MarManifest,
  type Runtime,
  serializeManifest,
} from "./manifest.js";

export const ARCHIVE_FORMATS = ["default", "zip-store", "tgz", "no-archive"] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/** Fully resolved inputs: absolute paths, defaults applied. */
export interface MarInputs {
  modelName: string;
  version: string;
  handler: string;
  runtime: Runtime;
  serializedFile?: string | undefined;
  modelFile?: string | undefined;
  extraFiles: string[];
  requirementsFile?: string | undefined;
  configFile?: string | undefined;
  archiveFormat: ArchiveFormat;
  exportPath: string;
  preservePaths: boolean;
  /** Relative extra-file patterns expand from here; preserved paths are relative to it. */
  baseDir: string;
  /** How messages name where each input came from: `--serialized-file`, or `serialized-file (mserve.yaml:5:18)`. */
  origins?: Partial<
    Record<
      "serializedFile" | "modelFile" | "handler" | "extraFiles" | "requirementsFile" | "configFile",
      string
    >
  >;
  /** Where relative paths from the project file resolve from, for hints. */
  projectDir?: string;
}

export interface MarPlan {
  inputs: MarInputs;
  manifest: MarManifest;
  /** Data entries in upstream's copy order; the manifest is appended by the writer, last. */
  entries: ArchiveEntry[];
  manifestEntry: ArchiveEntry;
  outputPath: string;
  warnings: string[];
  /** SOURCE_DATE_EPOCH was set: every time is `now` (in UTC) and modes are fixed, so the bytes are reproducible. */
  reproducible?: boolean;
}

export function outputPathFor(exportPath: string, name: string, format: ArchiveFormat): string {
  const suffix = format === "tgz" ? ".tar.gz" : format === "no-archive" ? "" : ".mar";
  return join(exportPath, `${name}${suffix}`);
}

interface Staged {
  entry: ArchiveEntry;
  origin: string;
  realPath: string;
}

/**
 * Decides what the archive will hold, with torch-model-archiver's staging
 * rules (reference/torchserve.md §1.3): named artifacts flattened to the root,
 * directory extras merged into the root, `__pycache__`, `__MACOSX` and hidden
 * folders skipped. Unlike upstream, two different files landing on the same
 * name are an error instead of a silent overwrite. Reads only metadata.
 */
export async function planMarArchive(
  inputs: MarInputs,
  now = new Date(),
  reproducible = false,
): Promise<MarPlan> {
  checkModelName(inputs.modelName);
  checkVersion(inputs.version);
  const warnings: string[] = [];
  const staged = new Map<string, Staged>();

  const add = async (path: string, name: string, origin: string) => {
    const info = await statFile(path, origin);
    const realPath = await realpath(path);
    const existing = staged.get(name);
    if (existing) {
      if (existing.realPath === realPath) return;
      throw invalidInput(
        `two files would be stored as "${name}": ${existing.entry.source.kind === "file" ? existing.entry.source.path : "?"} (${existing.origin}) and ${path} (${origin})`,
        "torch-model-archiver would silently keep only the last one. Rename one of them, or use --preserve-paths to keep their folders.",
      );
    }
    staged.set(name, {
      origin,
      realPath,
      entry: {
        name,
        source: { kind: "file", path },
        size: info.size,
        mode: reproducible ? normalizedMode(info.mode) : info.mode,
        mtime: reproducible ? now : info.mtime,
      },
    });
  };

  const named = async (path: string | undefined, origin: string) => {
    if (path === undefined) return undefined;
    await add(path, basename(path), origin);
    return basename(path);
  };

  const origin = (key: keyof NonNullable<MarInputs["origins"]>, flag: string) =>
    inputs.origins?.[key] ?? flag;
  const modelFile = await named(inputs.modelFile, origin("modelFile", "--model-file"));
  const serializedFile = await named(inputs.serializedFile, origin("serializedFile", "--serialized-file"));
  const handler = parseHandler(inputs.handler, inputs.runtime);
  if (handler.kind === "file") {
    const handlerPath = resolve(inputs.baseDir, handler.file);
    await add(handlerPath, basename(handlerPath), origin("handler", "--handler")).catch((error) => {
      if ((error as { code?: string }).code !== "INVALID_INPUT") throw error;
      throw invalidInput(
        `unknown handler "${inputs.handler}" (${origin("handler", "--handler")}): it is not a built-in handler and ${handlerPath} does not exist`,
        `Pass a path to your handler .py file, or a built-in: ${BUILTIN_HANDLERS.join(", ")}.`,
      );
    });
  }
  for (const item of inputs.extraFiles) {
    await addExtra(item, inputs, add, warnings);
  }
  const requirementsFile = await named(
    inputs.requirementsFile,
    origin("requirementsFile", "--requirements-file"),
  );
  const configFile = await named(inputs.configFile, origin("configFile", "--config-file"));

  const manifest = buildManifest(
    {
      modelName: inputs.modelName,
      modelVersion: inputs.version,
      handler: handler.manifestValue,
      runtime: inputs.runtime,
      serializedFile,
      modelFile,
      requirementsFile,
      configFile,
    },
    now,
    reproducible,
  );
  if (staged.has(MANIFEST_PATH)) {
    throw invalidInput(
      `an input file would overwrite ${MANIFEST_PATH}`,
      "Remove MAR-INF/ from --extra-files.",
    );
  }
  const data = Buffer.from(serializeManifest(manifest), "utf8");
  return {
    inputs,
    manifest,
    entries: [...staged.values()].map((s) => s.entry),
    manifestEntry: {
      name: MANIFEST_PATH,
      source: { kind: "buffer", data },
      size: data.length,
      mode: reproducible ? 0o100644 : 0o100600,
      mtime: now,
    },
    outputPath: outputPathFor(inputs.exportPath, inputs.modelName, inputs.archiveFormat),
    warnings,
    ...(reproducible ? { reproducible } : {}),
  };
}

type Add = (path: string, name: string, origin: string) => Promise<void>;

async function addExtra(item: string, inputs: MarInputs, add: Add, warnings: string[]): Promise<void> {
  const origin = inputs.origins?.extraFiles
    ? `${inputs.origins.extraFiles.replace(/ \(/, ` ${item} (`)}`
    : `--extra-files ${item}`;
  let paths: string[];
  if (hasMagic(item)) {
    paths = (await expandGlob(item, inputs.baseDir)).map((p) => resolve(inputs.baseDir, p));
    if (paths.length === 0)
      warnings.push(`${origin.replace(` ${item}`, "")} pattern "${item}" matched no files`);
  } else {
    paths = [resolve(inputs.baseDir, item)];
  }
  for (const path of paths) {
    const info = await statAny(path, origin);
    const prefix = inputs.preservePaths ? preservedPrefix(path, inputs.baseDir, item) : "";
    if (info.isDirectory()) {
      for await (const file of walkFiles(path)) {
        await add(join(path, file), prefix ? `${prefix}/${file}` : file, origin);
      }
    } else {
      await add(path, prefix || basename(path), origin);
    }
  }
}

/** With --preserve-paths an extra keeps its path below the project folder, folders their own name. */
function preservedPrefix(path: string, baseDir: string, item: string): string {
  const rel = relative(baseDir, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw invalidInput(
      `--preserve-paths cannot place "${item}": it is not inside the project folder ${baseDir}`,
      "Move the file under the project folder, or drop --preserve-paths for this build.",
    );
  }
  return rel.split(sep).join("/");
}

async function statAny(path: string, origin: string) {
  try {
    return await stat(path);
  } catch (error) {
    const mapped = fromFsError(error, path, origin);
    // A path written in mserve.yaml resolves from the file's folder, not from where the command runs.
    const file = /\((\S+?):\d+:\d+\)$/.exec(origin)?.[1];
    if (mapped instanceof MserveError && file && mapped.code === "INVALID_INPUT")
      throw new MserveError("INVALID_INPUT", mapped.message, {
        hint: `Check the path; relative paths in ${file} are resolved from its folder.`,
        cause: error,
      });
    throw mapped;
  }
}

async function statFile(path: string, origin: string) {
  const info = await statAny(path, origin);
  if (!info.isFile())
    throw invalidInput(`${origin}: ${path} is not a regular file`, "Point it at a file, not a folder.");
  return info;
}
