import { stat } from "node:fs/promises";
import {
  commitTemp,
  discardTemp,
  prepareOutputFolder,
  refuseExisting,
  reserveTempSibling,
} from "../../archive/atomic-output.js";
import { estimateDeflateSaving } from "../../archive/compressibility.js";
import type { ArchiveEntry, WriteHooks, WrittenEntry } from "../../archive/entries.js";
import { writeFolder } from "../../archive/folder-writer.js";
import { sha256File } from "../../archive/hash.js";
import { writeTgz } from "../../archive/tgz-writer.js";
import { writeZip, type ZipMethod } from "../../archive/zip-writer.js";
import { fromFsError, MserveError } from "../../errors.js";
import type { MarManifest } from "./manifest.js";
import type { ArchiveFormat, MarPlan } from "./plan.js";

export interface MarArtifact {
  path: string;
  format: ArchiveFormat;
  bytes: number;
  /** sha256 of the archive file; null for the folder (no-archive) format. */
  sha256: string | null;
  manifest: MarManifest;
  entries: WrittenEntry[];
}

/** Files below this size are always deflated: code and JSON compress well and cost nothing. */
const ALWAYS_DEFLATE_BELOW = 1 << 20;
/**
 * Storing costs at most 1/(1-0.09) ≈ 10% of size against deflating, but runs at
 * disk speed instead of deflate's ~35 MB/s. Float32 weights save ~7.4%.
 */
const STORE_IF_SAVING_BELOW = 0.09;

/** The `default` format's per-entry choice: deflate what compresses, store what barely does. */
export async function chooseDefaultMethod(entry: ArchiveEntry): Promise<ZipMethod> {
  if (entry.source.kind === "buffer" || entry.size < ALWAYS_DEFLATE_BELOW) return "deflate";
  const saving = await estimateDeflateSaving(entry.source.path, entry.size);
  return saving < STORE_IF_SAVING_BELOW ? "store" : "deflate";
}

/** TorchServe strips the first path segment of every tgz entry, so the archiver prefixes `<name>/`. */
const underFolder = (folder: string, entries: ArchiveEntry[]) =>
  entries.map((e) => ({ ...e, name: `${folder}/${e.name}` }));

async function writeByFormat(plan: MarPlan, temp: string, hooks: WriteHooks): Promise<WrittenEntry[]> {
  const all = [...plan.entries, plan.manifestEntry];
  switch (plan.inputs.archiveFormat) {
    case "default":
      return writeZip(temp, all, { ...hooks, methodFor: chooseDefaultMethod, utc: plan.reproducible });
    case "zip-store":
      return writeZip(temp, all, { ...hooks, methodFor: () => "store", utc: plan.reproducible });
    case "tgz":
      return writeTgz(temp, underFolder(plan.inputs.modelName, all), hooks);
    case "no-archive":
      return writeFolder(temp, all, hooks);
  }
}

/** Writes the planned archive to a temp sibling, hashes it, then renames it into place. */
export async function writeMarArtifact(
  plan: MarPlan,
  options: WriteHooks & { force: boolean },
): Promise<MarArtifact> {
  await prepareOutputFolder(plan.inputs.exportPath);
  await refuseExisting(plan.outputPath, options.force);
  const temp = reserveTempSibling(plan.outputPath);
  try {
    const entries = await writeByFormat(plan, temp, options);
    const isFolder = plan.inputs.archiveFormat === "no-archive";
    const sha256 = isFolder ? null : await sha256File(temp);
    const bytes = isFolder ? entries.reduce((n, e) => n + e.size, 0) : (await stat(temp)).size;
    options.signal?.throwIfAborted();
    await commitTemp(temp, plan.outputPath);
    return {
      path: plan.outputPath,
      format: plan.inputs.archiveFormat,
      bytes,
      sha256,
      manifest: plan.manifest,
      entries,
    };
  } catch (error) {
    await discardTemp(temp);
    if (options.signal?.aborted)
      throw new MserveError("INTERRUPTED", "interrupted: no archive was written", { cause: error });
    throw fromFsError(error, plan.outputPath, "output");
  }
}
