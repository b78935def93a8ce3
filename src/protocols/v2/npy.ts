import { decodeRaw, ELEMENT_BYTES, elementCount, encodeRaw } from "./tensor.js";

/**
 * NumPy's .npy format (versions 1–3): a magic string, a header dict
 * ({'descr', 'fortran_order', 'shape'}) and the array's bytes. Read into the v2
 * datatypes, with raw little-endian bytes kept so a binary request sends them
 * untouched; written so that `np.load` reads it without allow_pickle.
 */

export interface NpyArray {
  datatype: string;
  shape: number[];
  /** C-order little-endian bytes (BYTES: the v2 length-prefixed framing). */
  raw: Buffer;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** NumPy kind+size → v2 datatype. */
const KINDS: Record<string, string> = {
  b1: "BOOL",
  u1: "UINT8",
  i1: "INT8",
  u2: "UINT16",
  i2: "INT16",
  f2: "FP16",
  u4: "UINT32",
  i4: "INT32",
  f4: "FP32",
  u8: "UINT64",
  i8: "INT64",
  f8: "FP64",
};
const DESCR: Record<string, string> = Object.fromEntries(
  Object.entries(KINDS).map(([kind, datatype]) => [datatype, `${kind.endsWith("1") ? "|" : "<"}${kind}`]),
);

export class NpyError extends Error {}

export const isNpy = (buf: Buffer) => buf.length >= 10 && buf.subarray(0, 6).equals(MAGIC);

export function readNpy(buf: Buffer): NpyArray {
  if (!isNpy(buf)) throw new NpyError("not a .npy file (no \\x93NUMPY magic)");
  const major = buf[6] as number;
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLength).toString(major === 3 ? "utf8" : "latin1");
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new NpyError(`unreadable .npy header: ${header}`);
  if (fortran === "True")
    throw new NpyError("the array is in Fortran order; save it with np.save(path, np.ascontiguousarray(x))");
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const body = buf.subarray(start + headerLength);
  const count = elementCount(shape);
  const order = descr[0] as string;
  const kind = descr.slice(1);
  if (/^[SU]\d+$/.test(kind)) {
    // Fixed-width strings become BYTES: S is bytes, U is UTF-32 code points; trailing NULs are padding.
    const width = Number(kind.slice(1)) * (kind[0] === "U" ? 4 : 1);
    const values: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const cell = body.subarray(i * width, (i + 1) * width);
      if (kind[0] === "S") values.push(trimNul(cell));
      else {
        const points: number[] = [];
        for (let j = 0; j + 4 <= cell.length; j += 4) {
          const p = order === ">" ? cell.readUInt32BE(j) : cell.readUInt32LE(j);
          if (p === 0) break;
          points.push(p);
        }
        values.push(Buffer.from(String.fromCodePoint(...points), "utf8"));
      }
    }
    return { datatype: "BYTES", shape, raw: encodeRaw("BYTES", values) };
  }
  const datatype = KINDS[kind];
  if (!datatype)
    throw new NpyError(
      descr.includes("O")
        ? "the array holds Python objects (dtype=object); save strings as np.array(x, dtype=np.str_)"
        : `unsupported dtype ${descr}`,
    );
  const size = ELEMENT_BYTES[datatype] as number;
  if (body.length < count * size)
    throw new NpyError(`the file holds ${body.length} bytes of data, the shape needs ${count * size}`);
  let raw = Buffer.from(body.subarray(0, count * size));
  if (order === ">" && size > 1) {
    if (size === 2) raw = raw.swap16();
    else if (size === 4) raw = raw.swap32();
    else raw = raw.swap64();
  }
  return { datatype, shape, raw };
}

function trimNul(cell: Buffer): Buffer {
  let end = cell.length;
  while (end > 0 && cell[end - 1] === 0) end--;
  return cell.subarray(0, end);
}

/**
 * An .npy file of a tensor. BYTES become a unicode array ('<U…'), BF16 (no
 * NumPy dtype) float32 values, which hold every bfloat16 exactly.
 */
export function writeNpy(datatype: string, shape: readonly number[], raw: Buffer): Buffer {
  let descr: string;
  let body: Buffer;
  if (datatype === "BYTES") {
    const values = decodeRaw("BYTES", raw) as string[];
    const width = Math.max(1, ...values.map((v) => [...v].length));
    body = Buffer.alloc(width * 4 * values.length);
    values.forEach((v, i) => {
      for (const [j, ch] of [...v].entries())
        body.writeUInt32LE(ch.codePointAt(0) as number, (i * width + j) * 4);
    });
    descr = `<U${width}`;
  } else if (datatype === "BF16") {
    body = encodeRaw("FP32", decodeRaw("BF16", raw));
    descr = "<f4";
  } else {
    const known = DESCR[datatype];
    if (!known) throw new NpyError(`no NumPy dtype for ${datatype}`);
    descr = known;
    body = raw;
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Version 1: the magic, version, a 2-byte length, then the header padded so the data starts at a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64);
  header += "\n";
  const prefix = Buffer.alloc(10);
  MAGIC.copy(prefix);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, "latin1"), body]);
}
