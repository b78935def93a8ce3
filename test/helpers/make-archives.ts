import { writeFile } from "node:fs/promises";
import { constants, crc32, deflateRawSync, gzipSync } from "node:zlib";
import tar from "tar-stream";

/**
 * Builders for hostile archives. Zips are assembled byte by byte (local
 * header + data, central directory, end record) so a test can forge anything
 * a real attacker could: any name, flags, method, mode bits or lying sizes.
 */

export interface RawZipEntry {
  name: string;
  data?: Buffer | string;
  /** 0 stored, 8 deflated; any other number stores the data as is under that method id. */
  method?: number;
  /** Unix mode bits for the external attributes, e.g. 0o120777 for a symlink. */
  mode?: number;
  /** General-purpose flags in both headers (bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8). */
  flags?: number;
  /** Local-header flags only, when they should differ from the central ones. */
  localFlags?: number;
  /** Lie about the uncompressed size (zip bombs do). */
  declaredSize?: number;
  /** Name written in the local header, if different from the central one. */
  localName?: string;
  /** Extra field bytes for both headers (e.g. a zip64 or unicode-path field). */
  extra?: Buffer;
  /** Already-deflated bytes to store as is (with method 8 and a declaredSize). */
  compressed?: Buffer;
}

/** Hand-assembled zip bytes, so tests can forge anything a hostile archive could hold. */
export function makeZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.from(e.data ?? "");
    const method = e.method ?? 0;
    const stored = e.compressed ?? (method === 8 ? deflateRawSync(data) : data);
    const size = e.declaredSize ?? data.length;
    const name = Buffer.from(e.name);
    const localName = Buffer.from(e.localName ?? e.name);
    const extra = e.extra ?? Buffer.alloc(0);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.localFlags ?? e.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12); // DOS date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    const block = Buffer.concat([local, localName, extra, stored]);
    locals.push(block);
    centrals.push(Buffer.concat([central, name, extra]));
    offset += block.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A zip64 extended-information extra field carrying the two sizes. */
export function zip64Extra(uncompressed: number, compressed: number): Buffer {
  const extra = Buffer.alloc(20);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(16, 2);
  extra.writeBigUInt64LE(BigInt(uncompressed), 4);
  extra.writeBigUInt64LE(BigInt(compressed), 12);
  return extra;
}

export interface RawTarEntry {
  name: string;
  data?: string | Buffer;
  type?: "file" | "directory" | "symlink" | "link" | "fifo";
  linkname?: string;
  mode?: number;
}

export async function makeTar(entries: RawTarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const type = e.type ?? "file";
    const data = type === "file" ? Buffer.from(e.data ?? "") : undefined;
    const mode = e.mode ?? (type === "directory" ? 0o755 : 0o644);
    const header = { name: e.name, type, linkname: e.linkname, size: data?.length ?? 0, mode };
    pack.entry(header, data ?? "");
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function makeTgz(entries: RawTarEntry[]): Promise<Buffer> {
  return gzipSync(await makeTar(entries));
}

export const writeArchive = (path: string, bytes: Buffer) => writeFile(path, bytes);

const MIB = 1 << 20;

/**
 * A raw deflate stream of `mib` MiB of zeros, without deflating them all: one
 * MiB deflated up to a full flush (no reference reaches before it) is repeated,
 * then a final empty block. About 1 KiB per MiB: a 1 GiB entry costs ~1 MiB.
 */
export function deflatedZeros(mib: number, head: Buffer = Buffer.alloc(0), tail = 0): Buffer {
  const full = { finishFlush: constants.Z_FULL_FLUSH };
  const piece = deflateRawSync(Buffer.alloc(MIB), full);
  return Buffer.concat([
    ...(head.length > 0 ? [deflateRawSync(head, full)] : []),
    ...Array.from({ length: mib }, () => piece),
    deflateRawSync(Buffer.alloc(tail)),
  ]);
}

/** A .mar (zip) with one deflated entry of `mib` MiB of zeros: the classic bomb, ~1000:1. */
export function zerosZip(name: string, mib: number): Buffer {
  return makeZip([{ name, method: 8, compressed: deflatedZeros(mib), declaredSize: mib * MIB }]);
}

/** A .tar.gz with one file of `mib` MiB of zeros, built the same way (the CRC takes ~0.2 s per GiB). */
export function zerosTgz(name: string, mib: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${(mib * MIB).toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  header.fill(" ", 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const gzipHeader = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const zeros = Buffer.alloc(MIB);
  let crc = crc32(header);
  for (let i = 0; i < mib; i++) crc = crc32(zeros, crc);
  crc = crc32(Buffer.alloc(1024), crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(((mib * MIB + 512 + 1024) % 2 ** 32) >>> 0, 4);
  // The file's data, then the two zero blocks that end a tar: all zeros after the header.
  return Buffer.concat([gzipHeader, deflatedZeros(mib, header, 1024), trailer]);
}
