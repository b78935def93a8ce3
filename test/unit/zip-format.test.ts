import { describe, expect, it } from "vitest";
import {
  centralHeader,
  dosDateTime,
  endOfCentralDirectory,
  localHeader,
  MAX_32,
} from "../../src/archive/zip-format.js";

const record = (over: Partial<Parameters<typeof localHeader>[0]> = {}) => ({
  name: Buffer.from("model.pt"),
  method: 0 as const,
  dosTime: 0,
  dosDate: 33,
  crc32: 0xdeadbeef,
  compressedSize: 10,
  uncompressedSize: 10,
  mode: 0o100644,
  localHeaderOffset: 0,
  zip64: false,
  ...over,
});

describe("zip records", () => {
  it("writes a plain local header with sizes and CRC, no data-descriptor flag", () => {
    const h = localHeader(record());
    expect(h.readUInt32LE(0)).toBe(0x04034b50);
    expect(h.readUInt16LE(6) & 0x8).toBe(0);
    expect(h.readUInt32LE(14)).toBe(0xdeadbeef);
    expect(h.readUInt32LE(18)).toBe(10);
    expect(h.subarray(30).toString()).toBe("model.pt");
  });

  it("marks non-ASCII names as UTF-8", () => {
    expect(localHeader(record({ name: Buffer.from("caf\u00e9.pt") })).readUInt16LE(6)).toBe(0x0800);
  });

  it("puts real sizes in a zip64 extra when an entry passes 4 GiB", () => {
    const big = 5 * 1024 ** 3;
    const h = localHeader(record({ zip64: true, uncompressedSize: big, compressedSize: big }));
    expect(h.readUInt16LE(4)).toBe(45);
    expect(h.readUInt32LE(18)).toBe(MAX_32);
    const extra = h.subarray(30 + 8);
    expect(extra.readUInt16LE(0)).toBe(1);
    expect(Number(extra.readBigUInt64LE(4))).toBe(big);
    const c = centralHeader(
      record({ zip64: true, uncompressedSize: big, compressedSize: big, localHeaderOffset: big + 1 }),
    );
    expect(c.readUInt32LE(42)).toBe(MAX_32);
    expect(Number(c.subarray(46 + 8).readBigUInt64LE(4 + 16))).toBe(big + 1);
    expect(c.readUInt32LE(38) >>> 16).toBe(0o100644);
  });

  it("adds the zip64 end records only when needed", () => {
    expect(endOfCentralDirectory(3, 100, 50)).toHaveLength(22);
    const big = endOfCentralDirectory(3, 5 * 1024 ** 3, 50);
    expect(big.readUInt32LE(0)).toBe(0x06064b50);
    expect(big).toHaveLength(56 + 20 + 22);
  });

  it("clamps dates before 1980 like Python", () => {
    expect(dosDateTime(new Date(1970, 0, 1)).dosDate >> 9).toBe(0);
  });
});
