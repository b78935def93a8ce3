import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { FirstVersion } from "./autofill.js";
import { type ConfigRead, type ModelConfig, parseModelConfig } from "./config.js";

/** One model folder as Triton sees it on disk, read once. */
export interface ModelFolder {
  name: string;
  dir: string;
  /** undefined: no config.pbtxt. */
  read?: ConfigRead;
  /** Why config.pbtxt exists but cannot be read (a permission, a symlink loop). */
  unreadable?: string;
  /** Subfolders in byte order, as core's GetDirectorySubdirs returns them (a std::set). */
  subdirs: string[];
  /** The first of them, listed: AutoCompleteBackendFields looks only there. */
  first?: FirstVersion;
}

const isDirEntry = async (dir: string, e: Dirent) =>
  e.isDirectory() ||
  (e.isSymbolicLink() &&
    (await stat(join(dir, e.name)).then(
      (s) => s.isDirectory(),
      () => false,
    )));

export async function listEntries(dir: string): Promise<Map<string, boolean>> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  const out = new Map<string, boolean>();
  for (const e of entries) out.set(e.name, await isDirEntry(dir, e));
  return out;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function readModelFolder(dir: string): Promise<ModelFolder> {
  // One read instead of stat + read: a missing file is the only error that means "no config".
  let unreadable: string | undefined;
  const text = await readFile(join(dir, "config.pbtxt"), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT" && error.code !== "EISDIR")
      unreadable = `${error.code ?? "error"}: ${error.message}`;
    return undefined;
  });
  const entries = await listEntries(dir);
  const subdirs = [...entries]
    .filter(([, d]) => d)
    .map(([n]) => n)
    .sort(byteOrder);
  const first = subdirs[0] === undefined ? undefined : { entries: await listEntries(join(dir, subdirs[0])) };
  return {
    name: basename(dir),
    dir,
    subdirs,
    ...(first ? { first } : {}),
    ...(unreadable ? { unreadable } : {}),
    ...(text === undefined ? {} : { read: parseModelConfig(text) }),
  };
}

/** Folders of a model folder that are never versions (core model_lifecycle.cc VersionsToLoad). */
const NOT_VERSIONS = new Set(["warmup", "initial_state", "configs"]);

export interface VersionScan {
  /** Version number → the folder it was read from. */
  found: Map<number, string>;
  /** Folders Triton skips, with why. */
  ignored: { folder: string; why: string }[];
}

/** core VersionsToLoad: std::stoll of each folder name, leading zeros refused, special folders skipped. */
export function scanVersions(subdirs: string[]): VersionScan {
  const found = new Map<number, string>();
  const ignored: VersionScan["ignored"] = [];
  for (const folder of subdirs) {
    if (NOT_VERSIONS.has(folder)) continue;
    if (folder.length > 1 && folder.startsWith("0")) {
      ignored.push({ folder, why: "it has a leading zero" });
      continue;
    }
    const match = /^\s*([+-]?\d+)/.exec(folder);
    if (!match) {
      ignored.push({ folder, why: "it is not a number" });
      continue;
    }
    const version = Number(match[1]);
    if (String(version) !== folder)
      ignored.push({
        folder,
        why: `Triton reads it as version ${version}, from the folder named ${version}`,
      });
    if (!found.has(version) || String(version) === folder) found.set(version, folder);
  }
  return { found, ignored };
}

export interface VersionSelection {
  versions: number[];
  /** specific versions listed with no folder (Triton logs an error and skips them). */
  missing: number[];
  policy: "latest" | "all" | "specific";
}

/** The versions Triton loads under the config's version_policy (default: latest 1). */
export function selectVersions(
  config: ModelConfig | undefined,
  found: Map<number, string>,
): VersionSelection {
  const policy = (config?.version_policy ?? { latest: { num_versions: 1 } }) as {
    latest?: { num_versions?: number };
    all?: object;
    specific?: { versions?: (number | string)[] };
  };
  const existing = [...found.keys()].sort((a, b) => b - a);
  if (policy.specific) {
    const listed = (policy.specific.versions ?? []).map(Number);
    return {
      versions: listed.filter((v) => found.has(v)),
      missing: listed.filter((v) => !found.has(v)),
      policy: "specific",
    };
  }
  if (policy.latest)
    return {
      versions: existing.slice(0, Number(policy.latest.num_versions ?? 0)),
      missing: [],
      policy: "latest",
    };
  return { versions: existing, missing: [], policy: "all" };
}
