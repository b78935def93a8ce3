/**
 * Byte layouts of the zip records mserve writes (APPNOTE 6.3.x). Kept apart
 * from the streaming writer so the layouts can be unit-tested on their own.
 */

import { dateParts } from "./source-date.js";

export const MAX_32 = 0xffffffff;
export const MAX_16 = 0xffff;
const FLAG_UTF8 = 0x0800;
const UNIX_HOST = 3 << 8;

export interface ZipRecordInfo {
  name: Buffer;
  method: 0 | 8;
  dosTime: number;
  dosDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Unix mode bits (e.g. 0o100644), stored in the external attributes like Python's zipfile. */
  mode: number;
  localHeaderOffset: number;
  zip64: boolean;
}

export function dosDateTime(date: Date, utc = false): { dosTime: number; dosDate: number } {
  // DOS times have no zone: local time as Python writes them, or UTC for a reproducible build.
  const [year0, month, day, hours, minutes, seconds] = dateParts(date, utc);
  // DOS dates cannot go below 1980; Python clamps the same way.
  const year = Math.max(1980, year0);
  return {
    dosTime: (hours << 11) | (minutes << 5) | Math.floor(seconds / 2),
    dosDate: ((year - 1980) << 9) | ((month + 1) << 5) | day,
  };
}

const isAscii = (b: Buffer) => b.every((c) => c < 0x80);

/**
 * Local header. Sizes and CRC are written as placeholders first and patched in
 * place afterwards: TorchServe's java.util.zip.ZipInputStream reads only local
 * headers and refuses STORED entries that defer their sizes to a data descriptor.
 * A zip64 entry carries its real sizes in the extra field from the start.
 */
export function localHeader(info: ZipRecordInfo): Buffer {
  const extra = info.zip64 ? zip64Extra([info.uncompressedSize, info.compressedSize]) : Buffer.alloc(0);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(info.zip64 ? 45 : 20, 4);
  header.writeUInt16LE(isAscii(info.name) ? 0 : FLAG_UTF8, 6);
  header.writeUInt16LE(info.method, 8);
  header.writeUInt16LE(info.dosTime, 10);
  header.writeUInt16LE(info.dosDate, 12);
  header.writeUInt32LE(info.crc32 >>> 0, 14);
  header.writeUInt32LE(info.zip64 ? MAX_32 : info.compressedSize, 18);
  header.writeUInt32LE(info.zip64 ? MAX_32 : info.uncompressedSize, 22);
  header.writeUInt16LE(info.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, info.name, extra]);
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + values.length * 8);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(values.length * 8, 2);
  values.forEach((v, i) => {
    extra.writeBigUInt64LE(BigInt(v), 4 + i * 8);
  });
  return extra;
}

export function centralHeader(info: ZipRecordInfo): Buffer {
  // Only the fields that overflow go into the zip64 extra, in APPNOTE order.
  const big: number[] = [];
  const sizeOverflow = info.zip64 || info.uncompressedSize >= MAX_32 || info.compressedSize >= MAX_32;
  if (sizeOverflow) big.push(info.uncompressedSize, info.compressedSize);
  const offsetOverflow = info.localHeaderOffset >= MAX_32;
  if (offsetOverflow) big.push(info.localHeaderOffset);
  const extra = big.length > 0 ? zip64Extra(big) : Buffer.alloc(0);
  const needs64 = big.length > 0;
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(UNIX_HOST | (needs64 ? 45 : 20), 4);
  header.writeUInt16LE(needs64 ? 45 : 20, 6);
  header.writeUInt16LE(isAscii(info.name) ? 0 : FLAG_UTF8, 8);
  header.writeUInt16LE(info.method, 10);
  header.writeUInt16LE(info.dosTime, 12);
  header.writeUInt16LE(info.dosDate, 14);
  header.writeUInt32LE(info.crc32 >>> 0, 16);
  header.writeUInt32LE(sizeOverflow ? MAX_32 : info.compressedSize, 20);
  header.writeUInt32LE(sizeOverflow ? MAX_32 : info.uncompressedSize, 24);
  header.writeUInt16LE(info.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32); // comment length
  header.writeUInt16LE(0, 34); // disk number
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE(((info.mode & 0xffff) << 16) >>> 0, 38);
  header.writeUInt32LE(offsetOverflow ? MAX_32 : info.localHeaderOffset, 42);
  return Buffer.concat([header, info.name, extra]);
}

/** End of central directory, preceded by the zip64 record and locator when any field overflows. */
export function endOfCentralDirectory(entryCount: number, cdOffset: number, cdSize: number): Buffer {
  const parts: Buffer[] = [];
  const needs64 = entryCount >= MAX_16 || cdOffset >= MAX_32 || cdSize >= MAX_32;
  if (needs64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(UNIX_HOST | 45, 12);
    record.writeUInt16LE(45, 14);
    record.writeUInt32LE(0, 16);
    record.writeUInt32LE(0, 20);
    record.writeBigUInt64LE(BigInt(entryCount), 24);
    record.writeBigUInt64LE(BigInt(entryCount), 32);
    record.writeBigUInt64LE(BigInt(cdSize), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entryCount, MAX_16), 8);
  end.writeUInt16LE(Math.min(entryCount, MAX_16), 10);
  end.writeUInt32LE(Math.min(cdSize, MAX_32), 12);
  end.writeUInt32LE(Math.min(cdOffset, MAX_32), 16);
  parts.push(end);
  return Buffer.concat(parts);
}
