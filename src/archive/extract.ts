import { createWriteStream } from "node:fs";
import { lstat, mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { conflict, fromFsError, invalidInput, MserveError } from "../errors.js";
import { commitTemp, discardTemp, reserveTempSibling } from "./atomic-output.js";
import { type ByteMeter, byteMeter } from "./byte-meter.js";
import { detectContainer } from "./detect.js";
import {
  checkZipEntry,
  ExtractPlan,
  type PlannedEntry,
  type PlanOptions,
  unsafeEntry,
} from "./extract-plan.js";
import { checkDeclaredRatio, type ResolvedRatio, resolveRatio } from "./extract-ratio.js";
import type { OpenZip } from "./zip-reader.js";

// The zip and tar readers (yauzl, tar-stream) load once the archive is known to be one of them.
const tgzReader = () => import("./tgz-reader.js");
const zipReader = () => import("./zip-reader.js");

/**
 * Safe, atomic extraction of untrusted .mar/.zip and .tar.gz archives:
 * 1. list and judge every entry (extract-plan.ts) before writing anything;
 * 2. write into a hidden temp sibling of the destination, counting real bytes
 *    (headers can lie) and streaming (memory stays flat);
 * 3. rename into place. Any failure or abort removes the temp folder.
 */

export interface ExtractOptions extends PlanOptions {
  /** Replace a non-empty destination folder (it is swapped out, then deleted). */
  force?: boolean;
  signal?: AbortSignal;
  /** Called with the number of bytes just written, for progress display. */
  onBytes?: (bytes: number) => void;
}

export interface ExtractResult {
  kind: "zip" | "tgz";
  destDir: string;
  /** Entries written (files and folders). */
  entries: number;
  files: number;
  bytes: number;
}

async function checkDestination(destDir: string, force: boolean): Promise<void> {
  const info = await lstat(destDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw fromFsError(error, destDir, "destination");
  });
  if (!info) return;
  if (!info.isDirectory())
    throw conflict(`${destDir} exists and is not a folder`, "Remove it or choose another output folder.");
  if (!force && (await readdir(destDir)).length > 0)
    throw conflict(
      `${destDir} exists and is not empty`,
      "Pass -f/--force to replace it, or choose another output folder.",
    );
}

async function writeEntry(
  root: string,
  entry: PlannedEntry,
  open: () => Promise<AsyncIterable<Buffer>>,
  meter: ByteMeter,
  signal?: AbortSignal,
) {
  const target = join(root, ...entry.target.split("/"));
  if (entry.isDirectory) return void (await mkdir(target, { recursive: true }));
  await mkdir(dirname(target), { recursive: true });
  // Opened only now, right before it is piped, so no data error can fire while nobody listens.
  const data = await open();
  // `wx`: never follow or replace anything already there. Only 0644/0755: setuid bits are never honoured.
  const out = createWriteStream(target, { flags: "wx", mode: entry.executable ? 0o755 : 0o644 });
  await pipeline(data, meter.stream(), out, signal ? { signal } : {});
}

/** Returns the opened zip (kept open for the write pass), or undefined for a tgz. */
async function listPass(
  archive: string,
  kind: "zip" | "tgz",
  plan: ExtractPlan,
  ratio: ResolvedRatio | undefined,
  signal?: AbortSignal,
): Promise<OpenZip | undefined> {
  if (kind === "tgz") {
    const { walkTgz } = await tgzReader();
    // Stops at the first problem or limit crossed (a zip bomb within a few MiB), before writing anything.
    await walkTgz(
      archive,
      async (e) => {
        signal?.throwIfAborted();
        plan.add(e);
      },
      { ratio },
    );
    return undefined;
  }
  const zip = await (await zipReader()).openZip(archive);
  try {
    for (const e of zip.entries) {
      signal?.throwIfAborted();
      plan.add({
        name: e.name,
        size: e.size,
        executable: e.executable,
        kind: e.isSymlink ? "symlink" : e.isDirectory ? "directory" : "file",
      });
      checkZipEntry(archive, e);
      checkDeclaredRatio(archive, e, ratio);
    }
    return zip;
  } catch (error) {
    zip.close();
    throw error;
  }
}

async function writePass(
  archive: string,
  temp: string,
  zip: OpenZip | undefined,
  plan: ExtractPlan,
  meter: ByteMeter,
  ratio: ResolvedRatio | undefined,
  signal?: AbortSignal,
) {
  const bySource = new Map(plan.entries.map((p) => [p.source, p]));
  if (zip) {
    for (const entry of zip.entries) {
      signal?.throwIfAborted();
      const planned = bySource.get(entry.name);
      if (!planned) continue;
      await writeEntry(temp, planned, () => zip.openStream(entry), meter, signal);
    }
    return;
  }
  const { walkTgz } = await tgzReader();
  await walkTgz(
    archive,
    async (entry, data) => {
      signal?.throwIfAborted();
      const planned = bySource.get(entry.name);
      if (!planned) return;
      // The file is read twice: refuse it if it changed in between (e.g. an entry became a link).
      if (entry.kind !== (planned.isDirectory ? "directory" : "file"))
        throw unsafeEntry(archive, entry.name, "the archive changed while it was being extracted");
      await writeEntry(temp, planned, async () => data, meter, signal);
    },
    { ratio },
  );
}

/** Extracts a .mar/.zip or .tar.gz (kind by content) into `destDir`, atomically, never outside it. */
export async function extractArchive(
  archivePath: string,
  destDir: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  const dest = resolve(destDir);
  const { signal } = options;
  let zip: OpenZip | undefined;
  let temp: string | undefined;
  let createdParent: string | undefined;
  try {
    signal?.throwIfAborted();
    const { kind } = await detectContainer(archivePath);
    if (kind === "folder")
      throw invalidInput(`${archivePath} is a folder, not an archive`, "Pass a .mar, .zip or .tar.gz file.");
    await checkDestination(dest, Boolean(options.force));
    const plan = new ExtractPlan(archivePath, options);
    // 100:1 above 1 MiB unless the caller raises it (maxCompressionRatio: Infinity turns it off).
    const ratio = resolveRatio(options);
    zip = await listPass(archivePath, kind, plan, ratio, signal);

    createdParent = await mkdir(dirname(dest), { recursive: true });
    temp = reserveTempSibling(dest);
    await mkdir(temp);
    const meter = byteMeter(archivePath, options.maxTotalBytes, options.onBytes);
    await writePass(archivePath, temp, zip, plan, meter, ratio, signal);
    signal?.throwIfAborted();
    await commitTemp(temp, dest);
    return { kind, destDir: dest, entries: plan.entries.length, files: plan.fileCount, bytes: meter.total() };
  } catch (error) {
    if (temp) await discardTemp(temp);
    // Only the folders this call created, so a failed run leaves the tree as it found it.
    if (createdParent) await rm(createdParent, { recursive: true, force: true });
    throw asExtractError(error, archivePath, dest, signal);
  } finally {
    zip?.close();
  }
}

function asExtractError(error: unknown, archive: string, dest: string, signal?: AbortSignal): unknown {
  if (signal?.aborted)
    return new MserveError(
      "INTERRUPTED",
      `extraction of ${archive} was interrupted; nothing was written to ${dest}`,
      {
        hint: "Run the command again to extract it.",
        cause: error,
      },
    );
  if (error instanceof MserveError) return error;
  // Names are unique byte for byte (checked up front), so a clash here means the file system folds them.
  if ((error as NodeJS.ErrnoException)?.code === "EEXIST")
    return invalidInput(
      `two entries of ${archive} land on the same file under ${dest}`,
      "The file system is probably case-insensitive; extract on a case-sensitive one.",
    );
  return fromFsError(error, dest, "destination");
}
