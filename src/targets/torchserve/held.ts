import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Held } from "../target.js";
import type { Connection } from "./connect.js";
// Only the name parser: the archive readers load when a file must be hashed, so predict stays cheap.
import { storeFilePrefix } from "./store-file.js";

/**
 * What TorchServe holds for a version: the store file it was registered from
 * names the digest. A file mserve did not name is hashed when the model store
 * is on this machine; an archive registered from a URL cannot be told.
 */
export async function heldOnTorchServe(
  connection: Connection,
  ref: { name: string; version: string },
): Promise<Held> {
  const url = await connection.client.modelUrl(ref.name, ref.version);
  if (url === undefined) return { present: false };
  const prefix = storeFilePrefix(url);
  if (prefix) return { present: true, digest: prefix, from: url };
  const store = connection.modelStore;
  const local = store && !/^[a-z]+:\/\//i.test(url) ? join(store, url) : undefined;
  const isFile = local
    ? await stat(local).then(
        (s) => s.isFile(),
        () => false,
      )
    : false;
  if (!local || !isFile) return { present: true, from: url };
  const { checkArtifact } = await import("./model-store.js");
  const artifact = await checkArtifact(local).catch(() => undefined);
  return artifact ? { present: true, digest: artifact.digest, from: url } : { present: true, from: url };
}
