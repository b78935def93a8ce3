import { open } from "node:fs/promises";

/**
 * Just enough of saved_model.pb (tensorflow/core/protobuf saved_model.proto,
 * meta_graph.proto) to tell what TF Serving will find: each MetaGraph's tags
 * and its signatures with their inputs and outputs. Read with a tiny
 * protobuf wire-format reader that skips the graph itself by its length, so a
 * graph of hundreds of MB costs a few reads.
 */

export interface TensorSpec {
  name: string;
  dtype: string;
  /** -1 for an unknown size; undefined when the rank is unknown. */
  shape?: number[];
}
export interface Signature {
  key: string;
  method: string;
  inputs: Record<string, TensorSpec>;
  outputs: Record<string, TensorSpec>;
}
export interface MetaGraphSummary {
  tags: string[];
  tensorflowVersion?: string;
  signatures: Signature[];
}

/** tensorflow/core/framework/types.proto DataType. */
const DTYPES: Record<number, string> = {
  0: "DT_INVALID",
  1: "DT_FLOAT",
  2: "DT_DOUBLE",
  3: "DT_INT32",
  4: "DT_UINT8",
  5: "DT_INT16",
  6: "DT_INT8",
  7: "DT_STRING",
  8: "DT_COMPLEX64",
  9: "DT_INT64",
  10: "DT_BOOL",
  14: "DT_BFLOAT16",
  17: "DT_UINT16",
  18: "DT_COMPLEX128",
  19: "DT_HALF",
  20: "DT_RESOURCE",
  21: "DT_VARIANT",
  22: "DT_UINT32",
  23: "DT_UINT64",
};

/** Fields of one message: field number → values (varints as bigint, the rest as byte ranges). */
type Fields = Map<number, (bigint | Uint8Array)[]>;

function varint(buf: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i] as number;
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [value, i + 1];
    shift += 7n;
  }
  throw new Error("truncated varint");
}

function fields(buf: Uint8Array, keep: (field: number) => boolean = () => true): Fields {
  const out: Fields = new Map();
  let at = 0;
  while (at < buf.length) {
    const [key, next] = varint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Uint8Array | undefined;
    if (wire === 0) [value, at] = varint(buf, at);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const [length, start] = varint(buf, at);
      at = start + Number(length);
      if (at > buf.length) throw new Error("truncated message");
      if (keep(field)) value = buf.subarray(start, at);
    } else throw new Error(`unsupported wire type ${wire}`);
    if (value !== undefined) out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const text = (v: bigint | Uint8Array | undefined) =>
  v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : "";
const bytes = (f: Fields, n: number) =>
  (f.get(n) ?? []).filter((v): v is Uint8Array => v instanceof Uint8Array);

function tensor(buf: Uint8Array): TensorSpec {
  const f = fields(buf);
  const dtype = Number((f.get(2)?.[0] as bigint | undefined) ?? 0n);
  const spec: TensorSpec = { name: text(f.get(1)?.[0]), dtype: DTYPES[dtype] ?? `DT_${dtype}` };
  const shape = bytes(f, 3)[0];
  if (shape) {
    const s = fields(shape);
    const unknownRank = (s.get(3)?.[0] as bigint | undefined) === 1n;
    if (!unknownRank)
      spec.shape = bytes(s, 2).map((d) =>
        Number(BigInt.asIntN(64, (fields(d).get(1)?.[0] as bigint | undefined) ?? 0n)),
      );
  }
  return spec;
}

function tensorMap(entries: Uint8Array[]): Record<string, TensorSpec> {
  const out: Record<string, TensorSpec> = {};
  for (const entry of entries) {
    const e = fields(entry);
    const value = bytes(e, 2)[0];
    out[text(e.get(1)?.[0])] = value ? tensor(value) : { name: "", dtype: "DT_INVALID" };
  }
  return out;
}

/** The meta graphs of a serialized SavedModel (the graph_def, saver_def and object graph are skipped). */
export function readMetaGraphs(buf: Uint8Array): MetaGraphSummary[] {
  return bytes(fields(buf), 2).map((graph) => {
    // 1 meta_info_def, 5 signature_def; 2 graph_def and the rest are not kept.
    const g = fields(graph, (n) => n === 1 || n === 5);
    const info = bytes(g, 1)[0];
    const meta = info ? fields(info) : new Map();
    const signatures = bytes(g, 5).map((entry) => {
      const e = fields(entry);
      const def = fields(bytes(e, 2)[0] ?? new Uint8Array());
      return {
        key: text(e.get(1)?.[0]),
        method: text(def.get(3)?.[0]),
        inputs: tensorMap(bytes(def, 1)),
        outputs: tensorMap(bytes(def, 2)),
      };
    });
    const version = text(meta.get(5)?.[0]);
    return {
      tags: bytes(meta, 4).map((t) => text(t)),
      ...(version ? { tensorflowVersion: version } : {}),
      signatures,
    };
  });
}

/** saved_model.pb up to `maxBytes` (a larger file is reported without its signatures). */
export async function readSavedModelProto(
  path: string,
  maxBytes = 256 << 20,
): Promise<MetaGraphSummary[] | undefined> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return undefined;
    const buf = Buffer.alloc(size);
    await handle.read(buf, 0, size, 0);
    return readMetaGraphs(buf);
  } finally {
    await handle.close();
  }
}
