import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { ArchiveEntry } from "./entries.js";
import { normalizedMode } from "./source-date.js";
import { writeTgz } from "./tgz-writer.js";
import { walkFiles } from "./walk.js";

export interface TarPart {
  /** A folder (its files go under `prefix`) or one file (stored as `prefix`). */
  source: string;
  prefix: string;
}

/**
 * The files of `parts` as tar entries, sorted by name, with fixed modes and one
 * time: the same files always give the same tar (the registry form of a Triton
 * or TF Serving version, a folder that cannot be stored as it is).
 */
export async function tarEntries(parts: TarPart[], mtime: Date): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  for (const part of parts) {
    const info = await stat(part.source);
    const files = info.isDirectory() ? await collect(part.source) : [""];
    for (const file of files) {
      const path = file ? join(part.source, file) : part.source;
      const fileInfo = file ? await stat(path) : info;
      entries.push({
        name: [part.prefix, file].filter(Boolean).join("/"),
        source: { kind: "file", path },
        size: fileInfo.size,
        mode: normalizedMode(fileInfo.mode),
        mtime,
      });
    }
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function collect(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const file of walkFiles(dir)) out.push(file);
  return out;
}

export async function writeVersionTar(path: string, parts: TarPart[], mtime: Date, signal?: AbortSignal) {
  await writeTgz(path, await tarEntries(parts, mtime), { signal });
}
