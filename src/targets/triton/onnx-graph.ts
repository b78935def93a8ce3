import { type FileHandle, open } from "node:fs/promises";

/**
 * The inputs and outputs of an ONNX model, read from its protobuf without an
 * ONNX library: ModelProto.graph (7) → GraphProto.input (11) / output (12) /
 * initializer (5) → ValueInfoProto.name (1), type (2) → TypeProto.tensor_type (1)
 * → elem_type (1), shape (2) → TensorShapeProto.dim (1) → dim_value (1) | dim_param (2).
 * The file is read by offset: weights (initializers, node attributes) are
 * skipped over, never loaded, so a multi-GB model costs a few small reads.
 */

export interface OnnxTensor {
  name: string;
  /** Triton's TYPE_… name, or undefined for an element type Triton has none for. */
  dataType?: string;
  /** The ONNX element type number, for messages. */
  elemType: number;
  /** -1 for a symbolic or unknown dimension. */
  shape: number[];
  /** Whether any dimension was named (dim_param), e.g. "batch". */
  symbolic: boolean[];
}

export interface OnnxGraph {
  inputs: OnnxTensor[];
  outputs: OnnxTensor[];
}

/** TensorProto.DataType → Triton data_type (model_configuration.md "Datatypes"). */
const ELEM_TYPES: Record<number, string> = {
  1: "TYPE_FP32",
  2: "TYPE_UINT8",
  3: "TYPE_INT8",
  4: "TYPE_UINT16",
  5: "TYPE_INT16",
  6: "TYPE_INT32",
  7: "TYPE_INT64",
  8: "TYPE_STRING",
  9: "TYPE_BOOL",
  10: "TYPE_FP16",
  11: "TYPE_FP64",
  12: "TYPE_UINT32",
  13: "TYPE_UINT64",
  16: "TYPE_BF16",
};

export class OnnxError extends Error {}

/** Reads bytes at offsets of a file through a small window, so skipping a field costs nothing. */
class Source {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  async bytes(at: number, length: number): Promise<Buffer> {
    if (at < this.windowStart || at + length > this.windowStart + this.window.length) {
      const want = Math.min(Math.max(length, 64 * 1024), this.size - at);
      const buf = Buffer.alloc(Math.max(0, want));
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, at);
      this.window = buf.subarray(0, bytesRead);
      this.windowStart = at;
      if (bytesRead < length) throw new OnnxError("the file ends inside a protobuf field");
    }
    return this.window.subarray(at - this.windowStart, at - this.windowStart + length);
  }

  /** A varint at `at`: its value (exact below 2^53) and where the next field starts. */
  async varint(at: number): Promise<[number, number]> {
    const buf = await this.bytes(at, Math.min(10, this.size - at));
    return readVarint(buf, 0, at);
  }
}

function readVarint(buf: Buffer, offset: number, base = 0): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buf.length && i < offset + 10; i++) {
    const byte = buf[i] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [value, base + i + 1];
  }
  throw new OnnxError("a varint runs past the end of its field");
}

interface Field {
  number: number;
  wire: number;
  /** Varint value, or the length of a length-delimited field. */
  value: number;
  /** Where the payload of a length-delimited field starts. */
  start: number;
  end: number;
}

/** The fields of a message that lies in [start, end) of the source. */
async function* fields(source: Source, start: number, end: number): AsyncGenerator<Field> {
  let at = start;
  while (at < end) {
    const [tag, afterTag] = await source.varint(at);
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (number === 0) throw new OnnxError(`field number 0 at byte ${at}`);
    if (wire === 0) {
      const [value, next] = await source.varint(afterTag);
      yield { number, wire, value, start: afterTag, end: next };
      at = next;
    } else if (wire === 1 || wire === 5) {
      const next = afterTag + (wire === 1 ? 8 : 4);
      yield { number, wire, value: 0, start: afterTag, end: next };
      at = next;
    } else if (wire === 2) {
      const [length, payload] = await source.varint(afterTag);
      const next = payload + length;
      if (next > end) throw new OnnxError(`field ${number} at byte ${at} runs past its message`);
      yield { number, wire, value: length, start: payload, end: next };
      at = next;
    } else {
      throw new OnnxError(`unsupported protobuf wire type ${wire} at byte ${at}`);
    }
  }
}

/** Decodes a small message already in memory (a ValueInfoProto is a few dozen bytes). */
function* memoryFields(buf: Buffer): Generator<Field> {
  let at = 0;
  while (at < buf.length) {
    const [tag, afterTag] = readVarint(buf, at);
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const [value, next] = readVarint(buf, afterTag);
      yield { number, wire, value, start: afterTag, end: next };
      at = next;
    } else if (wire === 1 || wire === 5) {
      at = afterTag + (wire === 1 ? 8 : 4);
    } else if (wire === 2) {
      const [length, payload] = readVarint(buf, afterTag);
      if (payload + length > buf.length) throw new OnnxError("a field runs past its message");
      yield { number, wire, value: length, start: payload, end: payload + length };
      at = payload + length;
    } else throw new OnnxError(`unsupported protobuf wire type ${wire}`);
  }
}

function readValueInfo(buf: Buffer): OnnxTensor {
  let name = "";
  let elemType = 0;
  const shape: number[] = [];
  const symbolic: boolean[] = [];
  let kind = "tensor";
  for (const f of memoryFields(buf)) {
    if (f.number === 1 && f.wire === 2) name = buf.subarray(f.start, f.end).toString("utf8");
    if (f.number !== 2 || f.wire !== 2) continue;
    const type = buf.subarray(f.start, f.end);
    for (const t of memoryFields(type)) {
      if (t.wire !== 2) continue;
      if (t.number !== 1) {
        kind = { 4: "sequence", 5: "map", 8: "sparse tensor", 9: "optional" }[t.number] ?? "non-tensor";
        continue;
      }
      const tensor = type.subarray(t.start, t.end);
      for (const tf of memoryFields(tensor)) {
        if (tf.number === 1 && tf.wire === 0) elemType = tf.value;
        if (tf.number !== 2 || tf.wire !== 2) continue;
        const shapeProto = tensor.subarray(tf.start, tf.end);
        for (const dim of memoryFields(shapeProto)) {
          if (dim.number !== 1 || dim.wire !== 2) continue;
          let size = -1;
          let named = false;
          for (const d of memoryFields(shapeProto.subarray(dim.start, dim.end))) {
            if (d.number === 1 && d.wire === 0) size = d.value > 0 ? d.value : -1;
            if (d.number === 2 && d.wire === 2) named = true;
          }
          shape.push(size);
          symbolic.push(named);
        }
      }
    }
  }
  if (kind !== "tensor")
    throw new OnnxError(`"${name}" is a ${kind}, not a tensor; Triton takes tensors only`);
  return {
    name,
    elemType,
    shape,
    symbolic,
    ...(ELEM_TYPES[elemType] ? { dataType: ELEM_TYPES[elemType] } : {}),
  };
}

/** Reads the graph's inputs (less those that are initializers, i.e. weights) and outputs. */
export async function readOnnxGraph(path: string): Promise<OnnxGraph> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const source = new Source(fh, size);
    let graph: Field | undefined;
    let sawIrVersion = false;
    for await (const f of fields(source, 0, size)) {
      if (f.number === 1 && f.wire === 0) sawIrVersion = true;
      if (f.number === 7 && f.wire === 2) graph = f;
    }
    if (!graph || !sawIrVersion) throw new OnnxError("no ir_version and graph: not an ONNX ModelProto");
    const inputs: Buffer[] = [];
    const outputs: Buffer[] = [];
    const initializers = new Set<string>();
    for await (const f of fields(source, graph.start, graph.end)) {
      if (f.wire !== 2) continue;
      if (f.number === 11) inputs.push(Buffer.from(await source.bytes(f.start, f.value)));
      else if (f.number === 12) outputs.push(Buffer.from(await source.bytes(f.start, f.value)));
      else if (f.number === 5) {
        // TensorProto.name (8): scan the initializer's fields without loading its data.
        for await (const t of fields(source, f.start, f.end)) {
          if (t.number === 8 && t.wire === 2)
            initializers.add((await source.bytes(t.start, t.value)).toString("utf8"));
        }
      }
    }
    return {
      inputs: inputs.map(readValueInfo).filter((t) => !initializers.has(t.name)),
      outputs: outputs.map(readValueInfo),
    };
  } catch (error) {
    if (error instanceof OnnxError) throw error;
    throw new OnnxError(error instanceof Error ? error.message : String(error));
  } finally {
    await fh.close();
  }
}
