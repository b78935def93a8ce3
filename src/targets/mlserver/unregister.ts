import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { MserveError, usageError } from "../../errors.js";
import type { MlserverConnection } from "./connect.js";
import { findSettings } from "./validate.js";

/**
 * Takes one version off: its folder leaves the repository, then the model is
 * loaded again, and MLServer unloads the versions it no longer finds. With no
 * version left the model is unloaded.
 */
export async function unregisterVersion(
  connection: MlserverConnection,
  name: string,
  version: string,
): Promise<{ name: string; version: string; removed: string; remaining: string[] }> {
  if (!connection.repository)
    throw usageError(
      `the model repository of ${connection.label} is unknown`,
      "Pass --repository with the folder the server was started with.",
    );
  const folder = join(connection.repository, name, version);
  const there = await stat(folder).then(
    () => true,
    () => false,
  );
  if (!there)
    throw new MserveError("NOT_FOUND", `${name}:${version} is not in ${connection.repository}`, {
      hint: "`mserve models --target mlserver` lists the repository.",
    });
  await rm(folder, { recursive: true, force: true });
  const remaining = (await findSettings(join(connection.repository, name))).map(
    (f) => f.slice(join(connection.repository as string, name).length + 1).split("/")[0] as string,
  );
  if (remaining.length > 0) await connection.client.load(name);
  else await connection.client.unload(name).catch(() => {});
  return { name, version, removed: folder, remaining };
}
