import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { fromFsError, invalidInput, MserveError, notFound } from "../errors.js";

/**
 * Streams through a .tar.gz: one pass, memory flat whatever the archive size
 * (each entry's data is either consumed by the visitor or drained). Names are
 * reported as written, never judged: callers decide what is safe.
 */

export type TgzEntryKind = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface TgzEntryInfo {
  /** As written in the archive (a directory's trailing `/` removed). */
  name: string;
  size: number;
  kind: TgzEntryKind;
  /** tar-stream's raw header type (file, directory, symlink, link, fifo, …), kept for older callers. */
  type: string;
  linkname?: string | undefined;
  mode: number;
  mtime: Date | undefined;
  executable: boolean;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const corruptTgz = (path: string, error: unknown) =>
  invalidInput(
    `${path} is not a valid tar.gz archive (${message(error)})`,
    "The file may be truncated or corrupted: re-create or re-download it.",
  );

const KINDS: Record<string, TgzEntryKind> = {
  file: "file",
  "contiguous-file": "file",
  directory: "directory",
  symlink: "symlink",
  link: "hardlink",
};

/** Thrown by a visitor: must reach the caller as is, not be mistaken for a corrupt archive. */
class VisitorError {
  constructor(readonly error: unknown) {}
}

/**
 * Calls `visit` for each entry with its data stream. A visitor error (an
 * ENOSPC while writing, a limit being hit) stops the walk and is rethrown
 * unchanged; anything the gunzip or tar parser throws becomes INVALID_INPUT.
 */
export async function walkTgz(
  path: string,
  visit: (entry: TgzEntryInfo, data: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  // Report a missing file by name rather than as a "corrupt archive".
  await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "archive")));
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(path), createGunzip(), extract);
  feeding.catch(() => {}); // the same failure reaches the iterator below
  try {
    for await (const stream of extract) {
      const h = stream.header;
      const type = h.type ?? "file";
      const info: TgzEntryInfo = {
        name: type === "directory" ? h.name.replace(/\/+$/, "") : h.name,
        size: h.size ?? 0,
        kind: KINDS[type] ?? "other",
        type,
        linkname: h.linkname ?? undefined,
        mode: h.mode ?? 0,
        mtime: h.mtime,
        executable: ((h.mode ?? 0) & 0o111) !== 0,
      };
      try {
        await visit(info, stream as unknown as AsyncIterable<Buffer>);
      } catch (error) {
        throw new VisitorError(error);
      }
      stream.resume();
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    if (error instanceof VisitorError) throw error.error;
    if (error instanceof MserveError) throw error;
    throw corruptTgz(path, error);
  }
}

export async function listTgz(path: string): Promise<TgzEntryInfo[]> {
  const entries: TgzEntryInfo[] = [];
  await walkTgz(path, async (entry) => {
    entries.push(entry);
  });
  return entries;
}

const tooBig = (name: string, size: number, maxBytes: number) =>
  invalidInput(
    `${name} is ${size} bytes, more than the ${maxBytes} bytes allowed for it`,
    "This file is expected to be small; check that the archive is the one you meant.",
  );

async function collect(name: string, data: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of data) {
    total += chunk.length;
    if (total > maxBytes) throw tooBig(name, total, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads several small entries in one pass; names missing, too big or not regular files are left out. */
export async function readTgzEntries(
  path: string,
  names: Set<string>,
  maxBytes: number,
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  await walkTgz(path, async (entry, data) => {
    if (!names.has(entry.name) || entry.kind !== "file" || entry.size > maxBytes) return;
    found.set(entry.name, await collect(entry.name, data, maxBytes));
  });
  return found;
}

/** Reads one small entry (e.g. `<name>/MAR-INF/MANIFEST.json`); NOT_FOUND if absent, INVALID_INPUT if too big. */
export async function readTgzEntry(path: string, name: string, maxBytes: number): Promise<Buffer> {
  let result: Buffer | undefined;
  await walkTgz(path, async (entry, data) => {
    if (entry.name !== name || entry.kind !== "file") return;
    if (entry.size > maxBytes) throw tooBig(name, entry.size, maxBytes);
    result = await collect(name, data, maxBytes); // a later duplicate wins, as tar extraction would
  });
  if (result === undefined)
    throw notFound(`${path} has no file entry ${JSON.stringify(name)}`, "List it with `mserve inspect`.");
  return result;
}
