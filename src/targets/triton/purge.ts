import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { MserveError, notFound } from "../../errors.js";
import { pathExists } from "../../files.js";
import type { ModelRef } from "../target.js";
import type { TritonConnection } from "./connect.js";

export interface PurgeOutcome {
  name: string;
  version?: string;
  /** false when other versions stay and the model was loaded again with them. */
  unloaded: boolean;
  removed: string[];
}

/**
 * `unregister --purge`: the model is unloaded and its folder removed from the
 * server's repository, so `models` stops listing it. With a version, only that
 * version folder goes, and the model is loaded again with the versions left.
 */
export async function purgeModel(
  connection: TritonConnection,
  ref: ModelRef,
  folder: string,
): Promise<PurgeOutcome> {
  if (!(await pathExists(join(folder, "config.pbtxt"))))
    throw notFound(
      `${ref.name} has no model folder in ${connection.repository}`,
      "`mserve models --target triton` lists what the server has.",
    );
  const unload = () =>
    connection.client.unload(ref.name).catch((error) => {
      // Never loaded is fine: the folder still goes.
      if (!(error instanceof MserveError && error.code === "NOT_FOUND")) throw error;
    });
  if (ref.version) {
    const versionDir = join(folder, ref.version);
    if (!(await pathExists(versionDir)))
      throw notFound(`${ref.name} has no version folder ${ref.version} in ${connection.repository}`);
    const others = (await readdir(folder, { withFileTypes: true })).filter(
      (e) => e.isDirectory() && /^[1-9][0-9]*$/.test(e.name) && e.name !== ref.version,
    );
    if (others.length > 0) {
      await rm(versionDir, { recursive: true, force: true });
      // Loaded again, Triton serves what the version policy picks from the folders left.
      await connection.client.load(ref.name, 120_000);
      return { name: ref.name, version: ref.version, unloaded: false, removed: [versionDir] };
    }
  }
  await unload();
  await rm(folder, { recursive: true, force: true });
  return {
    name: ref.name,
    ...(ref.version ? { version: ref.version } : {}),
    unloaded: true,
    removed: [folder],
  };
}
