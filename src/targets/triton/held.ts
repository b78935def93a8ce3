import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractArchive } from "../../archive/extract.js";
import { invalidInput } from "../../errors.js";
import { pathExists } from "../../files.js";
import { heldFolder } from "../../release/version-folder.js";
import { formatDuration } from "../../ui/format.js";
import type { Held, Hooks, Outcome, PlaceRequest } from "../target.js";
import type { TritonConnection } from "./connect.js";
import { deployTriton } from "./deploy.js";
import { tritonFolder } from "./version-folder.js";
import { deployedView } from "./views.js";

/** What Triton serves for a version: nothing unless READY; then the marker (or the files) say which artifact. */
export async function heldOnTriton(
  connection: TritonConnection,
  ref: { name: string; version: string },
): Promise<Held> {
  if (!(await connection.client.ready(ref.name, ref.version))) return { present: false };
  return heldFolder(
    connection.repository ? tritonFolder(connection.repository, ref.name, ref.version) : undefined,
  );
}

/**
 * A registry version into Triton's repository: the tar unpacked (safely) into
 * a temp model folder, then deployed as a folder is (validated, backends
 * checked, placed, loaded), serving this version next to those already READY.
 */
export async function placeOnTriton(
  connection: TritonConnection,
  { archive, model, replace, timeoutMs }: PlaceRequest,
  hooks: Hooks,
): Promise<Outcome> {
  if (model.kind !== "triton-version")
    throw invalidInput(
      `${model.name}:${model.version} is a ${model.kind} artifact; Triton loads model versions`,
      "Push a Triton model folder (mserve package --target triton --register, or mserve registry push REPO/NAME/VERSION).",
    );
  const root = await mkdtemp(join(tmpdir(), "mserve-triton-"));
  try {
    const dir = join(root, model.name);
    await extractArchive(archive, dir, {
      signal: hooks.signal,
      maxEntries: 100_000,
      maxTotalBytes: 64 * 1024 ** 3,
    });
    const entries = await readdir(dir);
    if (!entries.includes("config.pbtxt") || !entries.includes(model.version))
      throw invalidInput(
        `the registry's ${model.name}:${model.version} is not a Triton model version (it holds ${entries.join(", ")})`,
        "Push what `mserve package --target triton --register` pushes: config.pbtxt and the version folder.",
      );
    const repository = connection.repository;
    const served = (await connection.client.index())
      .filter((e) => e.name === model.name && e.state === "READY" && e.version)
      .map((e) => e.version as string);
    const stillThere = [];
    for (const v of served)
      if (repository && (await pathExists(join(repository, model.name, v)))) stillThere.push(v);
    const done = await deployTriton(connection, dir, {
      replace,
      timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
      serve: [...new Set([...stillThere, model.version])],
      id: model.id,
    });
    return {
      data: done,
      view: deployedView(done),
      summary: `${done.name} (versions ${done.versions.join(", ")}) READY on ${done.server} (${formatDuration(done.timings.totalMs)})`,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
