/**
 * Tensors of the open inference protocol (KServe v2): datatypes, their raw
 * little-endian encoding (the binary tensor extension and .npy files share it),
 * and the nesting of flat row-major data into arrays.
 */

/** Bytes per element of each fixed-size datatype; BYTES is length-prefixed instead. */
export const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  BF16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** Datatypes a v2 server cannot take or give as JSON (Triton: "receiving FP16 data via JSON is not supported"). */
export const BINARY_ONLY = new Set(["FP16", "BF16"]);

export const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const scratch = new DataView(new ArrayBuffer(4));

function toHalf(value: number): number {
  scratch.setFloat32(0, value, true);
  const bits = scratch.getUint32(0, true);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = (mantissa | 0x800000) >> (1 - exponent);
    return sign | ((m + 0x1000) >> 13);
  }
  // Round to nearest even; a carry into the exponent is the right answer too.
  const rounded = mantissa + 0xfff + ((mantissa >> 13) & 1);
  return (sign | (exponent << 10)) + (rounded >> 13);
}

function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

function toBf16(value: number): number {
  scratch.setFloat32(0, value, true);
  const bits = scratch.getUint32(0, true);
  if (Number.isNaN(value)) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function fromBf16(bits: number): number {
  scratch.setUint32(0, bits << 16, true);
  return scratch.getFloat32(0, true);
}

/** BYTES elements: each a 4-byte little-endian length, then the bytes. */
export function encodeBytes(values: readonly unknown[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    const bytes = Buffer.isBuffer(v) ? v : Buffer.from(String(v), "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

export function decodeBytes(raw: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at + 4 <= raw.length) {
    const length = raw.readUInt32LE(at);
    out.push(raw.subarray(at + 4, at + 4 + length).toString("utf8"));
    at += 4 + length;
  }
  return out;
}

/** Flat values to raw little-endian bytes of a datatype. */
export function encodeRaw(datatype: string, values: readonly unknown[]): Buffer {
  if (datatype === "BYTES") return encodeBytes(values);
  const size = ELEMENT_BYTES[datatype];
  if (!size) throw new Error(`no raw encoding for datatype ${datatype}`);
  const buf = Buffer.alloc(size * values.length);
  values.forEach((v, i) => {
    const at = i * size;
    const n = Number(v);
    switch (datatype) {
      case "BOOL":
        buf.writeUInt8(v ? 1 : 0, at);
        break;
      case "UINT8":
        buf.writeUInt8(n, at);
        break;
      case "INT8":
        buf.writeInt8(n, at);
        break;
      case "UINT16":
        buf.writeUInt16LE(n, at);
        break;
      case "INT16":
        buf.writeInt16LE(n, at);
        break;
      case "FP16":
        buf.writeUInt16LE(toHalf(n), at);
        break;
      case "BF16":
        buf.writeUInt16LE(toBf16(n), at);
        break;
      case "UINT32":
        buf.writeUInt32LE(n, at);
        break;
      case "INT32":
        buf.writeInt32LE(n, at);
        break;
      case "FP32":
        buf.writeFloatLE(n, at);
        break;
      case "UINT64":
        buf.writeBigUInt64LE(BigInt(Math.trunc(n)), at);
        break;
      case "INT64":
        buf.writeBigInt64LE(BigInt(Math.trunc(n)), at);
        break;
      case "FP64":
        buf.writeDoubleLE(n, at);
        break;
    }
  });
  return buf;
}

/** Raw little-endian bytes to flat JS values (64-bit integers as numbers: exact up to 2^53). */
export function decodeRaw(datatype: string, raw: Buffer): unknown[] {
  if (datatype === "BYTES") return decodeBytes(raw);
  const size = ELEMENT_BYTES[datatype];
  if (!size) throw new Error(`no raw encoding for datatype ${datatype}`);
  const count = Math.floor(raw.length / size);
  const out: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (datatype) {
      case "BOOL":
        out[i] = raw.readUInt8(at) !== 0;
        break;
      case "UINT8":
        out[i] = raw.readUInt8(at);
        break;
      case "INT8":
        out[i] = raw.readInt8(at);
        break;
      case "UINT16":
        out[i] = raw.readUInt16LE(at);
        break;
      case "INT16":
        out[i] = raw.readInt16LE(at);
        break;
      case "FP16":
        out[i] = fromHalf(raw.readUInt16LE(at));
        break;
      case "BF16":
        out[i] = fromBf16(raw.readUInt16LE(at));
        break;
      case "UINT32":
        out[i] = raw.readUInt32LE(at);
        break;
      case "INT32":
        out[i] = raw.readInt32LE(at);
        break;
      case "FP32":
        out[i] = raw.readFloatLE(at);
        break;
      case "UINT64":
        out[i] = Number(raw.readBigUInt64LE(at));
        break;
      case "INT64":
        out[i] = Number(raw.readBigInt64LE(at));
        break;
      case "FP64":
        out[i] = raw.readDoubleLE(at);
        break;
    }
  }
  return out;
}

/** Row-major flat data as nested arrays of `shape` ([] or a size mismatch: left flat). */
export function nest(flat: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat.length === 1 ? flat[0] : [...flat];
  if (elementCount(shape) !== flat.length) return [...flat];
  const build = (offset: number, depth: number): unknown[] => {
    const size = shape[depth] as number;
    if (depth === shape.length - 1) return flat.slice(offset, offset + size);
    const stride = elementCount(shape.slice(depth + 1));
    return Array.from({ length: size }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0);
}

const NEGATIVE_ZERO = "\u0000-0\u0000";

/**
 * JSON text of a request: like JSON.stringify, but -0 stays -0 (JSON.stringify
 * writes 0, which would flip the sign bit of a float the user sent).
 */
export function tensorJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v) => (Object.is(v, -0) ? NEGATIVE_ZERO : v));
  return text.replaceAll(JSON.stringify(NEGATIVE_ZERO), "-0.0");
}

/** Values JSON cannot carry at all (NaN, ±Infinity): such a request goes binary. */
export const hasNonFinite = (data: readonly unknown[]) =>
  data.some((v) => typeof v === "number" && !Number.isFinite(v));
