import { readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Folders torch-model-archiver leaves out of every archive (archive_dir's filter).
 * Files are not filtered upstream (its file_filter is never called), so neither here.
 */
export function isSkippedFolder(name: string): boolean {
  return name === "__pycache__" || name === "__MACOSX" || name.startsWith(".");
}

/** Relative `/`-separated paths of the regular files under `root`, sorted, skipping excluded folders. */
export async function* walkFiles(root: string, prefix = ""): AsyncGenerator<string> {
  const items = await readdir(join(root, prefix), { withFileTypes: true });
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const item of items) {
    const rel = prefix ? `${prefix}/${item.name}` : item.name;
    if (item.isDirectory()) {
      if (!isSkippedFolder(item.name)) yield* walkFiles(root, rel);
    } else if (item.isFile() || item.isSymbolicLink()) {
      yield rel;
    }
  }
}
