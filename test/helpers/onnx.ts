/**
 * Minimal ONNX ModelProto bytes for tests that need a graph without the onnx
 * package: ir_version, opset, and a graph with inputs, outputs and initializers
 * (protobuf field numbers from onnx.proto).
 */

const varint = (n: number): Buffer => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
};
const tag = (field: number, wire: number) => varint(field * 8 + wire);
const bytesField = (field: number, payload: Buffer) =>
  Buffer.concat([tag(field, 2), varint(payload.length), payload]);
const intField = (field: number, value: number) => Buffer.concat([tag(field, 0), varint(value)]);
const str = (field: number, s: string) => bytesField(field, Buffer.from(s, "utf8"));

export interface TestTensor {
  name: string;
  /** TensorProto.DataType: 1 FLOAT, 7 INT64, 8 STRING, 9 BOOL, 10 FLOAT16, 11 DOUBLE, 14 COMPLEX64. */
  elemType: number;
  /** Numbers are dim_value, strings dim_param. */
  shape: (number | string)[];
}

function valueInfo(t: TestTensor): Buffer {
  const dims = t.shape.map((d) => bytesField(1, typeof d === "number" ? intField(1, d) : str(2, d)));
  const tensorType = Buffer.concat([intField(1, t.elemType), bytesField(2, Buffer.concat(dims))]);
  return Buffer.concat([str(1, t.name), bytesField(2, bytesField(1, tensorType))]);
}

export function onnxModel(graph: {
  inputs: TestTensor[];
  outputs: TestTensor[];
  /** Initializers, each with this many bytes of raw_data (weights the reader must skip). */
  initializers?: { name: string; bytes: number }[];
}): Buffer {
  const parts: Buffer[] = [];
  // A node first, as exporters write them: an opaque blob for the reader.
  parts.push(bytesField(1, Buffer.concat([str(1, "x"), str(2, "y"), str(4, "Identity")])));
  parts.push(str(2, "test-graph"));
  for (const init of graph.initializers ?? [])
    parts.push(
      bytesField(
        5,
        Buffer.concat([
          intField(1, 1),
          intField(2, 1),
          str(8, init.name),
          bytesField(9, Buffer.alloc(init.bytes, 7)),
        ]),
      ),
    );
  for (const t of graph.inputs) parts.push(bytesField(11, valueInfo(t)));
  for (const t of graph.outputs) parts.push(bytesField(12, valueInfo(t)));
  return Buffer.concat([
    intField(1, 8),
    str(2, "mserve-test"),
    bytesField(7, Buffer.concat(parts)),
    bytesField(8, Buffer.concat([str(1, ""), intField(2, 17)])),
  ]);
}
