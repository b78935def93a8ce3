import { mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { extractArchive } from "../../archive/extract.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { invalidInput, usageError } from "../../errors.js";
import { pathExists } from "../../files.js";
import { heldIs, identityOf } from "../../registry/identity.js";
import { heldMismatch } from "../../release/exact.js";
import { heldFolder, markPlaced } from "../../release/version-folder.js";
import { formatDuration } from "../../ui/format.js";
import { lines } from "../../ui/view.js";
import type { Held, Hooks, Outcome, PlaceRequest } from "../target.js";
import type { TfServingConnection } from "./connect.js";
import { waitAvailable } from "./deploy.js";
import { parseModelsConfig, servedVersions, writeModelsConfig } from "./models-config.js";
import { packageTfServing } from "./package.js";
import { tfFolder } from "./version-folder.js";

/** What TF Serving serves for a version: nothing unless AVAILABLE; then the marker (or the files) say which artifact. */
export async function heldOnTfServing(
  connection: TfServingConnection,
  ref: { name: string; version: string },
): Promise<Held> {
  const states = await connection.client.status(ref.name, { version: ref.version }).catch(() => []);
  if (!states.some((s) => s.version === ref.version && s.state === "AVAILABLE")) return { present: false };
  return heldFolder(connection.base ? tfFolder(connection.base, ref.name, ref.version) : undefined);
}

/**
 * Makes models.config serve `version` too: a version policy that would leave it
 * out (latest:1 once a newer one is placed) becomes `specific` with the versions
 * served now plus this one, so moving an alias back finds its version served.
 */
export async function ensureServed(base: string, name: string, version: string): Promise<boolean> {
  const configPath = join(base, "models.config");
  const read = parseModelsConfig(await readFile(configPath, "utf8"));
  if (!read.ok) throw invalidInput(`${configPath}:${read.line}:${read.column}: ${read.message}`);
  const entry = (read.config.model_config_list?.config ?? []).find((m) => m.name === name);
  if (!entry) return false;
  const onDisk = (await readdir(join(base, name)).catch(() => [] as string[]))
    .filter((d) => /^[1-9][0-9]*$/.test(d))
    .map(Number);
  const served = servedVersions(entry, onDisk);
  if (served.includes(Number(version))) return false;
  entry.model_version_policy = {
    specific: { versions: [...new Set([...served, Number(version)])].sort((a, b) => a - b) },
  };
  const temp = reserveTempSibling(configPath);
  try {
    await writeFile(temp, writeModelsConfig(read.config));
    await rename(temp, configPath);
  } finally {
    releaseTempPath(temp);
  }
  return true;
}

/**
 * A registry version into TF Serving's base folder: unpacked (safely), placed as
 * `<base>/<name>/<version>` with models.config serving it, then awaited until
 * AVAILABLE. A version folder already there with the same digest is only served.
 */
export async function placeOnTfServing(
  connection: TfServingConnection,
  { archive, model, replace, timeoutMs }: PlaceRequest,
  hooks: Hooks,
): Promise<Outcome> {
  if (model.kind !== "tf-savedmodel")
    throw invalidInput(
      `${model.name}:${model.version} is a ${model.kind} artifact; TF Serving loads SavedModel versions`,
      "Push a SavedModel folder (mserve registry push export/ --name NAME --version N).",
    );
  const base = connection.base;
  if (!base)
    throw usageError(
      `the model base folder of ${connection.label} is unknown`,
      "Pass --base with the folder holding its models.config.",
    );
  const started = Date.now();
  const folder = tfFolder(base, model.name, model.version);
  let copy = true;
  if (await pathExists(join(base, model.name, model.version))) {
    const held = await heldFolder(folder);
    if (held.present && held.digest && heldIs(model, held.digest)) copy = false;
    else if (!replace && held.present)
      throw heldMismatch(model, held, { label: `${model.name}:${model.version}`, server: base });
  }
  if (copy) {
    const root = await mkdtemp(join(tmpdir(), "mserve-tfserving-"));
    try {
      const dir = join(root, model.version);
      await extractArchive(archive, dir, {
        signal: hooks.signal,
        maxEntries: 100_000,
        maxTotalBytes: 64 * 1024 ** 3,
      });
      hooks.step(`placing ${model.name}:${model.version} in ${base}`);
      await packageTfServing({
        savedModel: dir,
        name: model.name,
        version: model.version,
        base,
        labels: {},
        force: replace,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  if (await ensureServed(base, model.name, model.version))
    hooks.step(`models.config now serves ${model.name}:${model.version} too`);
  hooks.step(`waiting for ${model.name}:${model.version} to be AVAILABLE`);
  await waitAvailable(connection, model.name, model.version, { timeoutMs, signal: hooks.signal });
  // What was placed is the registry's version: its digest, not a re-hash of the server's copy.
  await markPlaced(folder, model.id, identityOf(model));
  const data = {
    model: model.name,
    version: model.version,
    path: join(base, model.name, model.version),
    server: connection.label,
    state: "AVAILABLE",
    placed: copy,
  };
  return {
    data,
    view: { blocks: [lines(`${model.name}:${model.version}  AVAILABLE  on ${connection.label}`)] },
    summary: `${model.name}:${model.version} AVAILABLE on ${connection.label} (${formatDuration(Date.now() - started)})`,
  };
}
