import { access, constants, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { conflict, fromFsError, invalidInput } from "../errors.js";
import { nodeCrypto } from "../lazy-builtins.js";
import { registerTempPath, releaseTempPath } from "./temp-paths.js";

/**
 * Output is written to a hidden sibling and renamed into place at the end, so
 * an interrupted or failed run never leaves a partial artifact at the destination.
 */

/** Creates the export folder if needed; refuses a file in its place or an unwritable one. */
export async function prepareOutputFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw fromFsError(error, dir, "export path");
  });
  if (info && !info.isDirectory()) {
    throw invalidInput(`export path ${dir} exists and is not a folder`, "Pass a folder to --export-path.");
  }
  if (!info)
    await mkdir(dir, { recursive: true }).catch((error) =>
      Promise.reject(fromFsError(error, dir, "export path")),
    );
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw invalidInput(
      `export path ${dir} is not writable`,
      "Choose another --export-path or fix its permissions.",
    );
  }
}

export async function refuseExisting(path: string, force: boolean): Promise<void> {
  if (force) return;
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) throw conflict(`${path} already exists`, "Pass -f/--force to overwrite it.");
}

/** A hidden temp path next to `finalPath` (same filesystem, so the final rename is atomic). */
export function reserveTempSibling(finalPath: string): string {
  const temp = join(
    dirname(finalPath),
    `.${basename(finalPath)}.mserve-tmp-${nodeCrypto().randomBytes(4).toString("hex")}`,
  );
  registerTempPath(temp);
  return temp;
}

/** Moves the finished temp output into place; an existing folder is swapped out, then removed. */
export async function commitTemp(temp: string, finalPath: string): Promise<void> {
  const existing = await stat(finalPath).catch(() => undefined);
  if (existing?.isDirectory()) {
    const old = reserveTempSibling(finalPath);
    await rename(finalPath, old);
    await rename(temp, finalPath);
    await rm(old, { recursive: true, force: true });
    releaseTempPath(old);
  } else {
    await rename(temp, finalPath);
  }
  releaseTempPath(temp);
}

export async function discardTemp(temp: string): Promise<void> {
  await rm(temp, { recursive: true, force: true });
  releaseTempPath(temp);
}

/** writeFile through a temp sibling + rename, creating parent folders. */
export async function writeFileAtomic(path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = reserveTempSibling(path);
  try {
    await writeFile(temp, content);
    await rename(temp, path);
    releaseTempPath(temp);
  } catch (error) {
    await discardTemp(temp);
    throw fromFsError(error, path, "output");
  }
}
