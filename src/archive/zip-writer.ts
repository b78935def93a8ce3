import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32, createDeflateRaw } from "node:zlib";
import type { ArchiveEntry, WriteHooks, WrittenEntry } from "./entries.js";
import {
  centralHeader,
  dosDateTime,
  endOfCentralDirectory,
  localHeader,
  MAX_32,
  type ZipRecordInfo,
} from "./zip-format.js";

export type ZipMethod = "store" | "deflate";

export interface ZipWriteOptions extends WriteHooks {
  /** Chooses per entry; the `default` .mar format decides by sampling the data. */
  methodFor: (entry: ArchiveEntry) => ZipMethod | Promise<ZipMethod>;
  deflateLevel?: number;
  /** Entry times in UTC (reproducible builds) instead of local time. */
  utc?: boolean;
}

const READ_CHUNK = 1 << 20;

/** Sequential positioned writes into an open file; tracks where the next byte goes. */
class PositionedSink {
  constructor(
    private readonly fh: FileHandle,
    public position = 0,
  ) {}

  async write(buffer: Buffer): Promise<void> {
    let done = 0;
    while (done < buffer.length) {
      const { bytesWritten } = await this.fh.write(buffer, done, buffer.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }

  async patch(buffer: Buffer, at: number): Promise<void> {
    await this.fh.write(buffer, 0, buffer.length, at);
  }

  writable(): Writable {
    return new Writable({
      highWaterMark: READ_CHUNK * 2,
      write: (chunk: Buffer, _enc, callback) => {
        this.write(chunk).then(() => callback(), callback);
      },
    });
  }
}

/**
 * Streams entries into a zip at `path` (created or truncated). Memory stays
 * flat: each file is read in 1 MiB chunks, CRC'd with zlib's native crc32 and
 * written at its final offset; the local header is patched afterwards with the
 * real sizes, so no data descriptors are needed (Java's ZipInputStream rejects
 * them on STORED entries).
 */
export async function writeZip(
  path: string,
  entries: ArchiveEntry[],
  options: ZipWriteOptions,
): Promise<WrittenEntry[]> {
  const fh = await open(path, "w");
  try {
    const sink = new PositionedSink(fh);
    const records: ZipRecordInfo[] = [];
    const written: WrittenEntry[] = [];
    for (const entry of entries) {
      options.signal?.throwIfAborted();
      const method = await options.methodFor(entry);
      const record = await writeEntry(sink, entry, method, options);
      records.push(record);
      written.push({
        name: entry.name,
        size: record.uncompressedSize,
        compressedSize: record.compressedSize,
        method: record.method === 8 ? "deflated" : "stored",
      });
    }
    const cdOffset = sink.position;
    await sink.write(Buffer.concat(records.map(centralHeader)));
    await sink.write(endOfCentralDirectory(records.length, cdOffset, sink.position - cdOffset));
    return written;
  } finally {
    await fh.close();
  }
}

async function writeEntry(
  sink: PositionedSink,
  entry: ArchiveEntry,
  method: ZipMethod,
  options: ZipWriteOptions,
): Promise<ZipRecordInfo> {
  const record: ZipRecordInfo = {
    name: Buffer.from(entry.name, "utf8"),
    method: method === "deflate" ? 8 : 0,
    ...dosDateTime(entry.mtime, options.utc),
    crc32: 0,
    compressedSize: 0,
    uncompressedSize: entry.size,
    mode: entry.mode,
    localHeaderOffset: sink.position,
    // Same margin as Python's zipfile: deflate can grow incompressible data slightly.
    zip64: entry.size * 1.05 >= MAX_32,
  };
  await sink.write(localHeader(record));
  const dataStart = sink.position;

  let crc = 0;
  let consumed = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      crc = crc32(chunk, crc);
      consumed += chunk.length;
      options.onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
  const source =
    entry.source.kind === "file"
      ? createReadStream(entry.source.path, { highWaterMark: READ_CHUNK })
      : Readable.from([entry.source.data]);
  const stages: NodeJS.ReadWriteStream[] = [tap];
  if (record.method === 8) stages.push(createDeflateRaw({ level: options.deflateLevel ?? 6 }));
  await pipeline([source, ...stages, sink.writable()], { signal: options.signal });

  record.crc32 = crc;
  record.uncompressedSize = consumed;
  record.compressedSize = sink.position - dataStart;
  if (!record.zip64 && (consumed >= MAX_32 || record.compressedSize >= MAX_32)) {
    throw new Error(`${entry.name} grew past 4 GiB while it was being archived`);
  }
  await sink.patch(localHeader(record), record.localHeaderOffset);
  return record;
}
