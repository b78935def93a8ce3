import { mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import type { ArchiveEntry } from "../../archive/entries.js";
import { extractArchive } from "../../archive/extract.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { walkFiles } from "../../archive/walk.js";
import { writeZip } from "../../archive/zip-writer.js";
import { invalidInput } from "../../errors.js";
import { SETTINGS_FILE } from "./settings.js";

/** A fixed time for every entry: the same version folder always zips to the same bytes (the registry dedupes by sha256). */
const EPOCH = new Date(Date.UTC(2000, 0, 1));

/**
 * The registry's form of an MLServer version: its folder zipped, model-settings.json
 * at the root. Written next to where it goes and renamed, so no partial zip is left.
 */
export async function zipVersion(dir: string, path: string): Promise<void> {
  const entries: ArchiveEntry[] = [];
  for await (const file of walkFiles(dir)) {
    const full = join(dir, file);
    const info = await stat(full);
    entries.push({
      name: file,
      source: { kind: "file", path: full },
      size: info.size,
      mode: 0o100644,
      mtime: EPOCH,
    });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const temp = reserveTempSibling(path);
  try {
    await writeZip(temp, entries, { methodFor: () => "deflate" });
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
    releaseTempPath(temp);
  }
}

/**
 * A registry artifact unpacked (safely: nothing lands outside the folder) into
 * a temp folder named after its version, for deploy to place. `done` removes it.
 */
export async function unzipVersion(
  archive: string,
  ref: { name: string; version: string },
  signal?: AbortSignal,
): Promise<{ dir: string; done: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "mserve-mlserver-"));
  const dir = join(root, ref.version);
  const done = () => rm(root, { recursive: true, force: true });
  try {
    await extractArchive(archive, dir, { signal, maxEntries: 100_000, maxTotalBytes: 20 * 1024 ** 3 });
    if (!(await readdir(dir)).includes(SETTINGS_FILE))
      throw invalidInput(
        `${ref.name}:${ref.version} in the registry is not an MLServer model (no ${SETTINGS_FILE} in it)`,
        "Push what `mserve package --target mlserver --register` wrote.",
      );
    return { dir, done };
  } catch (error) {
    await done();
    throw error;
  }
}
