import { createWriteStream } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { conflict, invalidInput, MserveError } from "../errors.js";
import { commitTemp, discardTemp, reserveTempSibling } from "./atomic-output.js";
import { type ContainerKind, detectContainer } from "./detect.js";
import { checkEntryName } from "./entry-path.js";
import { listTgz, walkTgz } from "./tgz-reader.js";
import { type OpenZip, openZip } from "./zip-reader.js";

export interface ExtractOptions {
  maxTotalBytes: number;
  maxEntries: number;
  stripComponents?: number;
  force?: boolean;
  signal?: AbortSignal;
}

export interface ExtractResult {
  kind: ContainerKind;
  destDir: string;
  files: number;
  bytes: number;
}

interface PlannedEntry {
  source: string;
  target: string;
  size: number;
  isDirectory: boolean;
  executable: boolean;
}

const unsafe = (
  message: string,
  hint = "Only extract archives you trust, and ask their author for a clean copy.",
) => invalidInput(`unsafe archive: ${message}`, hint);

/**
 * Decides every path before writing a byte: a malicious archive is refused
 * whole. Names go through the zip-slip gate, links are refused outright (a
 * symlink followed by a file written "through" it is the classic escape).
 */
export function planEntries(
  entries: Array<{
    name: string;
    size: number;
    kind: "file" | "directory" | "symlink" | "link" | "other";
    executable: boolean;
  }>,
  options: ExtractOptions,
): PlannedEntry[] {
  if (entries.length > options.maxEntries) {
    throw unsafe(
      `${entries.length} entries, more than the limit of ${options.maxEntries}`,
      "Raise the limit with --max-entries if you trust this archive.",
    );
  }
  const planned: PlannedEntry[] = [];
  const files = new Set<string>();
  const dirs = new Set<string>();
  let declared = 0;
  for (const entry of entries) {
    if (entry.kind === "symlink" || entry.kind === "link")
      throw unsafe(
        `entry ${JSON.stringify(entry.name)} is a ${entry.kind === "link" ? "hard link" : "symlink"}; symlink and hard-link entries are not allowed`,
      );
    if (entry.kind === "other")
      throw unsafe(`entry ${JSON.stringify(entry.name)} is a device, FIFO or other special file`);
    const check = checkEntryName(entry.name);
    if (!check.ok) throw unsafe(`entry ${JSON.stringify(entry.name)}: ${check.reason}`);
    const segments = check.normalized.split("/").slice(options.stripComponents ?? 0);
    if (segments.length === 0) continue;
    const target = segments.join("/");
    if (entry.kind === "directory") {
      if (files.has(target)) throw unsafe(`${target} is both a file and a folder`);
      dirs.add(target);
    } else {
      if (files.has(target)) throw unsafe(`duplicate entry ${JSON.stringify(target)}`);
      if (dirs.has(target)) throw unsafe(`${target} is both a file and a folder`);
      files.add(target);
    }
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      if (files.has(parent)) throw unsafe(`${target} would be written under the file ${parent}`);
      dirs.add(parent);
    }
    declared += entry.kind === "file" ? entry.size : 0;
    if (declared > options.maxTotalBytes) {
      throw unsafe(
        `it declares more than ${options.maxTotalBytes} bytes in total`,
        "Raise the limit with --max-bytes if you trust this archive.",
      );
    }
    planned.push({
      source: entry.name,
      target,
      size: entry.size,
      isDirectory: entry.kind === "directory",
      executable: entry.executable,
    });
  }
  for (const file of files) if (dirs.has(file)) throw unsafe(`${file} is both a file and a folder`);
  return planned;
}

/** Counts real bytes across all entries: a lying header cannot push past the limit. */
function byteBudget(limit: number) {
  let total = 0;
  return {
    get total() {
      return total;
    },
    meter: () =>
      new Transform({
        transform(chunk: Buffer, _enc, callback) {
          total += chunk.length;
          if (total > limit)
            callback(
              unsafe(
                `it inflates past ${limit} bytes (a zip bomb?)`,
                "Raise the limit with --max-bytes if you trust this archive.",
              ),
            );
          else callback(null, chunk);
        },
      }),
  };
}

async function writeEntry(
  root: string,
  entry: PlannedEntry,
  data: AsyncIterable<Buffer>,
  meter: Transform,
  signal?: AbortSignal,
): Promise<void> {
  const target = join(root, ...entry.target.split("/"));
  await mkdir(dirname(target), { recursive: true });
  // `wx`: never follow or replace anything already there (and never set setuid bits).
  await pipeline(
    data,
    meter,
    createWriteStream(target, { flags: "wx", mode: entry.executable ? 0o755 : 0o644 }),
    { signal },
  );
}

async function refuseDestination(destDir: string, force: boolean): Promise<void> {
  const info = await stat(destDir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory())
    throw invalidInput(`${destDir} exists and is not a folder`, "Choose another -o folder.");
  if (!force && (await readdir(destDir)).length > 0)
    throw conflict(`${destDir} exists and is not empty`, "Pass -f/--force to replace it.");
}

const zipKind = (e: { isDirectory: boolean; isSymlink: boolean }) =>
  e.isSymlink ? "symlink" : e.isDirectory ? "directory" : "file";
const tarKind = (type: string) =>
  type === "file" || type === "contiguous-file"
    ? "file"
    : type === "directory"
      ? "directory"
      : type === "symlink"
        ? "symlink"
        : type === "link"
          ? "link"
          : "other";

/** Extracts a .mar/.zip or .tar.gz into `destDir`, atomically, never outside it. */
export async function extractArchive(
  archive: string,
  destDir: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  const { kind } = await detectContainer(archive);
  if (kind === "folder")
    throw invalidInput(`${archive} is a folder, not an archive`, "Pass a .mar, .zip or .tar.gz file.");
  await refuseDestination(destDir, Boolean(options.force));
  let zip: OpenZip | undefined;
  let plan: PlannedEntry[];
  if (kind === "zip") {
    zip = await openZip(archive);
    const zipEntries = zip.entries.map((e) => ({
      name: e.name,
      size: e.size,
      kind: zipKind(e) as "file",
      executable: e.executable,
    }));
    try {
      plan = planEntries(zipEntries, options);
      const encrypted = zip.entries.find((e) => e.encrypted);
      if (encrypted)
        throw invalidInput(
          `entry ${encrypted.name} is encrypted`,
          "mserve cannot extract encrypted archives.",
        );
    } catch (error) {
      zip.close();
      throw error;
    }
  } else {
    plan = planEntries(
      (await listTgz(archive)).map((e) => ({ ...e, kind: tarKind(e.type) })),
      options,
    );
  }

  const temp = reserveTempSibling(destDir);
  const budget = byteBudget(options.maxTotalBytes);
  try {
    await mkdir(temp, { recursive: true });
    const bySource = new Map(plan.map((p) => [p.source, p]));
    if (zip) {
      for (const entry of zip.entries) {
        options.signal?.throwIfAborted();
        const planned = bySource.get(entry.name);
        if (!planned) continue;
        if (planned.isDirectory) await mkdir(join(temp, ...planned.target.split("/")), { recursive: true });
        else await writeEntry(temp, planned, await zip.openStream(entry), budget.meter(), options.signal);
      }
    } else {
      await walkTgz(archive, async (entry, data) => {
        options.signal?.throwIfAborted();
        const planned = bySource.get(entry.name);
        if (!planned) return;
        if (planned.isDirectory) await mkdir(join(temp, ...planned.target.split("/")), { recursive: true });
        else await writeEntry(temp, planned, data, budget.meter(), options.signal);
      });
    }
    await commitTemp(temp, destDir);
    return { kind, destDir, files: plan.filter((p) => !p.isDirectory).length, bytes: budget.total };
  } catch (error) {
    await discardTemp(temp);
    if (options.signal?.aborted)
      throw new MserveError("INTERRUPTED", "interrupted: nothing was extracted", { cause: error });
    if (error instanceof MserveError) throw error;
    if (/too many bytes|expected .* bytes|invalid|unexpected/i.test((error as Error)?.message ?? "")) {
      throw unsafe(`${(error as Error).message} (an entry does not match its declared size)`);
    }
    throw error;
  } finally {
    zip?.close();
  }
}
