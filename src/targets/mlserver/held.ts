import { heldFolder } from "../../release/version-folder.js";
import type { Held, Hooks, Outcome, PlaceRequest } from "../target.js";
import { unzipVersion } from "./artifact.js";
import type { MlserverConnection } from "./connect.js";
import { deployMlserver } from "./deploy.js";
import { mlserverFolder } from "./version-folder.js";
import { deployedView } from "./views.js";

export async function heldOnMlserver(
  connection: MlserverConnection,
  ref: { name: string; version: string },
): Promise<Held> {
  if (!(await connection.client.ready(ref.name, ref.version))) return { present: false };
  return heldFolder(
    connection.repository ? mlserverFolder(connection.repository, ref.name, ref.version) : undefined,
  );
}

/** A registry version unpacked (safely), placed in the repository, loaded and awaited until ready. */
export async function placeOnMlserver(
  connection: MlserverConnection,
  { archive, model, replace, timeoutMs }: PlaceRequest,
  hooks: Hooks,
): Promise<Outcome> {
  const unpacked = await unzipVersion(archive, model, hooks.signal);
  try {
    const done = await deployMlserver(connection, unpacked.dir, {
      replace,
      wait: true,
      timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
      expect: { name: model.name, version: model.version },
      id: model.id,
    });
    return { data: done, view: deployedView(done) };
  } finally {
    await unpacked.done();
  }
}
