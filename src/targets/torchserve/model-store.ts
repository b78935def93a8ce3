import { copyFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { contentDigest } from "../../archive/content-digest.js";
import { sha256File } from "../../archive/hash.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { invalidInput } from "../../errors.js";
import { readArtifact } from "./read-artifact.js";
import { validateMarListing } from "./validate-rules.js";

export { isStoreFileOfMserve, storeFileName, storeFilePrefix } from "./store-file.js";

export interface CheckedArtifact {
  path: string;
  kind: "zip" | "tgz";
  name: string;
  version: string;
  sha256: string;
  /** Content digest: the same files give the same digest whatever the archive's createdOn (content-digest.ts). */
  digest: string;
  /** minWorkers from the archive's model-config.yaml: TorchServe uses it when no initial_workers is sent. */
  configMinWorkers?: number;
}

/** Refuses what TorchServe would reject, before anything is copied or registered. */
export async function checkArtifact(path: string): Promise<CheckedArtifact> {
  const listing = await readArtifact(path);
  if (listing.kind === "folder") {
    throw invalidInput(
      `${path} is a folder; deploy needs a .mar or .tar.gz file`,
      "Package with the default, zip-store or tgz format (`mserve package --archive-format default`).",
    );
  }
  const errors = validateMarListing(listing).filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw invalidInput(
      `${path} would not load in TorchServe: ${errors[0]?.message}`,
      `Run \`mserve validate ${path}\` for all ${errors.length} problem(s).`,
      { diagnostics: errors },
    );
  }
  const manifest = JSON.parse(listing.manifestText ?? "{}") as {
    model: { modelName: string; modelVersion: string };
  };
  let configMinWorkers: number | undefined;
  try {
    const value = (parseYaml(listing.configText ?? "") as { minWorkers?: unknown } | null)?.minWorkers;
    if (typeof value === "number" && value > 0) configMinWorkers = value;
  } catch {}
  return {
    path,
    kind: listing.kind,
    name: manifest.model.modelName,
    version: manifest.model.modelVersion,
    sha256: await sha256File(path),
    // TorchServe drops a .tar.gz's first folder; so does the digest, so .mar and .tar.gz of one model agree.
    digest: await contentDigest(path, { strip: listing.kind === "tgz" ? 1 : 0 }),
    configMinWorkers,
  };
}

/** Copies into the model store through a temp name, so the server never sees half a file. */
export async function placeInStore(source: string, store: string, file: string): Promise<boolean> {
  const target = join(store, file);
  if (
    await stat(target).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return false;
  const info = await stat(store).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw invalidInput(
      `model store ${store} is not a folder`,
      "Pass --model-store with the folder the server loads from.",
    );
  }
  const temp = reserveTempSibling(target);
  try {
    await copyFile(source, temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    releaseTempPath(temp);
  }
  return true;
}
