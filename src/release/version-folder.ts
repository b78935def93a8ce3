import { join } from "node:path";
import { digestOfParts } from "../archive/content-digest.js";
import { pathExists } from "../files.js";
import type { Held } from "../targets/target.js";
import { readMarker, writeMarker } from "./marker.js";

/** A version folder on a server: `<modelDir>/<version>`, plus (Triton) files of the model folder in its digest. */
export interface VersionFolder {
  name: string;
  version: string;
  /** `<repository>/<name>`: where the version folder and its marker live. */
  modelDir: string;
  /** The parts of its digest, as the registry's tar of it holds them. */
  parts: { source: string; prefix: string }[];
}

/**
 * After a placement: the marker records the digest of what was placed, hashed
 * from `folder.parts` (the source mserve copied from, so a server's own later
 * edits to its copy, e.g. of config.pbtxt, do not change it), or given.
 */
export async function markPlaced(folder: VersionFolder, id?: string, known?: string): Promise<string> {
  const digest = known ?? (await digestOfParts(folder.parts));
  await writeMarker(folder.modelDir, {
    name: folder.name,
    version: folder.version,
    digest,
    ...(id ? { id } : {}),
  });
  return digest;
}

/**
 * What a server that answers for the version holds: the marker's digest, or,
 * for a folder placed by other means, the digest of its files (hashed once,
 * then remembered in a marker); unknown when the folder is not on this machine.
 */
export async function heldFolder(folder: VersionFolder | undefined): Promise<Held> {
  if (!folder) return { present: true };
  const marker = await readMarker(folder.modelDir, folder.version);
  if (marker) return { present: true, digest: marker.digest, from: join(folder.modelDir, folder.version) };
  if (!(await pathExists(join(folder.modelDir, folder.version)))) return { present: true };
  const digest = await markPlaced(folder).catch(() => undefined);
  return digest ? { present: true, digest, from: join(folder.modelDir, folder.version) } : { present: true };
}
