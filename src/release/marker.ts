import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { reserveTempSibling } from "../archive/atomic-output.js";
import { releaseTempPath } from "../archive/temp-paths.js";

/**
 * Servers that load version folders (Triton, TF Serving, MLServer) keep no
 * record of where a version came from, so mserve leaves one next to each
 * version folder it places: `<model folder>/.mserve-<version>.json` with the
 * content digest. Servers skip it (a hidden file, not a version folder); exact
 * releases read it instead of re-hashing the weights on every predict.
 */
export interface Marker {
  name: string;
  version: string;
  digest: string;
  /** The registry version's id, when it came from the registry. */
  id?: string;
  placedAt: string;
}

export const markerPath = (modelDir: string, version: string) => join(modelDir, `.mserve-${version}.json`);

export async function readMarker(modelDir: string, version: string): Promise<Marker | undefined> {
  try {
    const parsed = JSON.parse(await readFile(markerPath(modelDir, version), "utf8")) as Partial<Marker>;
    return typeof parsed.digest === "string" && /^[0-9a-f]{64}$/.test(parsed.digest)
      ? (parsed as Marker)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function writeMarker(modelDir: string, marker: Omit<Marker, "placedAt">): Promise<void> {
  const path = markerPath(modelDir, marker.version);
  const temp = reserveTempSibling(path);
  try {
    await writeFile(temp, `${JSON.stringify({ ...marker, placedAt: new Date().toISOString() }, null, 1)}\n`);
    await rename(temp, path);
  } finally {
    releaseTempPath(temp);
  }
}
