import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { fromFsError, invalidInput, MserveError, notFound } from "../errors.js";
import { type ResolvedRatio, streamingRatio } from "./extract-ratio.js";

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

const READ_CHUNK = 64 * 1024;
/**
 * Inflated bytes that may be buffered between gunzip and the entry's reader
 * when it begins (a few 16 KiB stream buffers; 1 MiB leaves a wide margin).
 */
const BUFFERED_AHEAD = 1 << 20;

/** Entry data, passed through the ratio check as it streams (whoever reads it: the visitor or the drain). */
async function* guarded(
  stream: AsyncIterable<Buffer>,
  check: (bytes: number) => void,
): AsyncIterable<Buffer> {
  for await (const chunk of stream) {
    check(chunk.length);
    yield chunk;
  }
}

export interface WalkOptions {
  /** Refuse an entry that inflates beyond this ratio (extract-ratio.ts); undefined: no check. */
  ratio?: ResolvedRatio | undefined;
}

/**
 * Calls `visit` for each entry with its data stream. A visitor error (an
 * ENOSPC while writing, a limit being hit) stops the walk and is rethrown
 * unchanged; anything the gunzip or tar parser throws becomes INVALID_INPUT.
 * With `ratio`, an entry inflating past it stops the walk (INVALID_INPUT)
 * whether or not the visitor reads it, after a few MiB at most.
 */
export async function walkTgz(
  path: string,
  visit: (entry: TgzEntryInfo, data: AsyncIterable<Buffer>) => Promise<void>,
  options: WalkOptions = {},
): Promise<void> {
  // Report a missing file by name rather than as a "corrupt archive".
  await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "archive")));
  const extract = tar.extract();
  const gunzip = createGunzip();
  const feeding = pipeline(createReadStream(path, { highWaterMark: READ_CHUNK }), gunzip, extract);
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
      const check = streamingRatio(path, info.name, options.ratio, () => gunzip.bytesWritten, BUFFERED_AHEAD);
      const data = options.ratio ? guarded(stream as unknown as AsyncIterable<Buffer>, check) : undefined;
      try {
        await visit(info, data ?? (stream as unknown as AsyncIterable<Buffer>));
      } catch (error) {
        throw new VisitorError(error);
      }
      if (data) for await (const _ of data);
      else stream.resume();
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    if (error instanceof VisitorError) throw error.error;
    if (error instanceof MserveError) throw error;
    throw corruptTgz(path, error);
  }
}

export async function listTgz(path: string, options: WalkOptions = {}): Promise<TgzEntryInfo[]> {
  const entries: TgzEntryInfo[] = [];
  await walkTgz(
    path,
    async (entry) => {
      entries.push(entry);
    },
    options,
  );
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
  options: WalkOptions = {},
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  await walkTgz(
    path,
    async (entry, data) => {
      if (!names.has(entry.name) || entry.kind !== "file" || entry.size > maxBytes) return;
      found.set(entry.name, await collect(entry.name, data, maxBytes));
    },
    options,
  );
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
