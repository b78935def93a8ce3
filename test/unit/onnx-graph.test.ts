import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OnnxError, readOnnxGraph } from "../../src/targets/triton/onnx-graph.js";
import { onnxModel } from "../helpers/onnx.js";
import { tempDirs } from "./runtime/temp-dirs.js";

const temp = tempDirs("onnx-graph");

describe("reading an ONNX graph's tensors", () => {
  it("gives names, Triton types and shapes with symbolic dims as -1, skipping initializers", async () => {
    const dir = await temp();
    const path = join(dir, "model.onnx");
    await writeFile(
      path,
      onnxModel({
        inputs: [
          { name: "features", elemType: 1, shape: ["batch", 4] },
          { name: "ids", elemType: 7, shape: ["batch", "seq"] },
          { name: "weight", elemType: 1, shape: [4, 2] },
        ],
        outputs: [{ name: "scores", elemType: 10, shape: ["batch", 2] }],
        // Weights far larger than the read window: skipped, never read into memory.
        initializers: [{ name: "weight", bytes: 300_000 }],
      }),
    );
    const graph = await readOnnxGraph(path);
    expect(graph.inputs.map((t) => [t.name, t.dataType, t.shape])).toEqual([
      ["features", "TYPE_FP32", [-1, 4]],
      ["ids", "TYPE_INT64", [-1, -1]],
    ]);
    expect(graph.outputs).toEqual([
      { name: "scores", elemType: 10, dataType: "TYPE_FP16", shape: [-1, 2], symbolic: [true, false] },
    ]);
  });

  it("leaves element types Triton lacks untyped, and refuses what is not a model", async () => {
    const dir = await temp();
    const complex = join(dir, "complex.onnx");
    await writeFile(
      complex,
      onnxModel({
        inputs: [{ name: "z", elemType: 14, shape: [1] }],
        outputs: [{ name: "y", elemType: 1, shape: [1] }],
      }),
    );
    expect((await readOnnxGraph(complex)).inputs[0]?.dataType).toBeUndefined();
    const garbage = join(dir, "garbage.onnx");
    await writeFile(garbage, "this is not protobuf\n");
    await expect(readOnnxGraph(garbage)).rejects.toBeInstanceOf(OnnxError);
  });
});
