import { chmod, copyFile, mkdir, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ArchiveEntry, WriteHooks, WrittenEntry } from "./entries.js";

/**
 * Writes entries as plain files under `dir` (the `no-archive` format). copyFile lets the kernel copy;
 * each file then gets the entry's mode and time, as a zip or tar entry would carry them.
 */
export async function writeFolder(
  dir: string,
  entries: ArchiveEntry[],
  hooks: WriteHooks = {},
): Promise<WrittenEntry[]> {
  await mkdir(dir, { recursive: true });
  const written: WrittenEntry[] = [];
  for (const entry of entries) {
    hooks.signal?.throwIfAborted();
    const target = join(dir, ...entry.name.split("/"));
    await mkdir(dirname(target), { recursive: true });
    if (entry.source.kind === "file") await copyFile(entry.source.path, target);
    else await writeFile(target, entry.source.data, { mode: entry.mode & 0o777 });
    await chmod(target, entry.mode & 0o777);
    await utimes(target, entry.mtime, entry.mtime);
    hooks.onBytes?.(entry.size);
    written.push({ name: entry.name, size: entry.size, compressedSize: entry.size, method: "copied" });
  }
  return written;
}
