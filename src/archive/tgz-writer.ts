import { createReadStream, createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tar from "tar-stream";
import type { ArchiveEntry, WriteHooks, WrittenEntry } from "./entries.js";

/**
 * Streams entries into a gzip'd tar at `path`. Entry names are written as
 * given: callers add the single leading folder TorchServe strips on load.
 */
export async function writeTgz(
  path: string,
  entries: ArchiveEntry[],
  hooks: WriteHooks = {},
): Promise<WrittenEntry[]> {
  const pack = tar.pack();
  const finished = pipeline(pack, createGzip({ level: 6 }), createWriteStream(path), {
    signal: hooks.signal,
  });
  const written: WrittenEntry[] = [];
  try {
    for (const entry of entries) {
      hooks.signal?.throwIfAborted();
      await addEntry(pack, entry, hooks);
      written.push({ name: entry.name, size: entry.size, compressedSize: entry.size, method: "gzip" });
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    await finished.catch(() => {});
    throw error;
  }
  await finished;
  return written;
}

function addEntry(pack: tar.Pack, entry: ArchiveEntry, hooks: WriteHooks): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry(
      {
        name: entry.name,
        size: entry.size,
        mode: entry.mode & 0o777,
        mtime: entry.mtime,
        uid: 0,
        gid: 0,
        type: "file",
      },
      (error) => (error ? reject(error) : resolve()),
    );
    const source =
      entry.source.kind === "file"
        ? createReadStream(entry.source.path, { highWaterMark: 1 << 20 })
        : Readable.from([entry.source.data]);
    const counter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        hooks.onBytes?.(chunk.length);
        callback(null, chunk);
      },
    });
    pipeline(source, counter, sink, { signal: hooks.signal }).catch(reject);
  });
}
