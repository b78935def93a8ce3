import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { invalidInput, MserveError } from "../errors.js";

export interface TgzEntryInfo {
  name: string;
  size: number;
  /** tar-stream's header type: file, directory, symlink, link (hard link), character-device, … */
  type: string;
  linkname?: string | undefined;
  executable: boolean;
}

export const corruptTgz = (path: string, error: unknown) =>
  invalidInput(
    `${path} is not a valid tar.gz archive (${(error as Error)?.message ?? String(error)})`,
    "The file may be truncated or corrupted: re-create or re-download it.",
  );

/**
 * Streams through a tar.gz once, calling `visit` for each entry with its data
 * stream (drained afterwards if the visitor does not read it). Memory stays flat.
 */
export async function walkTgz(
  path: string,
  visit: (entry: TgzEntryInfo, data: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(path), createGunzip(), extract);
  feeding.catch(() => {}); // reported through the iterator below
  try {
    for await (const stream of extract) {
      const h = stream.header;
      const name = h.type === "directory" ? h.name.replace(/\/+$/, "") : h.name;
      const info = {
        name,
        size: h.size ?? 0,
        type: h.type ?? "file",
        linkname: h.linkname ?? undefined,
        executable: ((h.mode ?? 0) & 0o111) !== 0,
      };
      await visit(info, stream as unknown as AsyncIterable<Buffer>);
      stream.resume();
    }
    await feeding;
  } catch (error) {
    extract.destroy();
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

/** Reads one small entry's bytes (e.g. the manifest) in a single pass. */
export async function readTgzEntries(
  path: string,
  names: Set<string>,
  maxBytes: number,
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  await walkTgz(path, async (entry, data) => {
    if (!names.has(entry.name) || entry.type !== "file" || entry.size > maxBytes) return;
    const chunks: Buffer[] = [];
    for await (const chunk of data) chunks.push(chunk as Buffer);
    found.set(entry.name, Buffer.concat(chunks));
  });
  return found;
}
