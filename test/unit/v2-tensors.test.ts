import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MserveError } from "../../src/errors.js";
import type { ModelMetadata } from "../../src/protocols/v2/client.js";
import { buildInferInputs } from "../../src/protocols/v2/infer-input.js";
import { NpyError, readNpy, writeNpy } from "../../src/protocols/v2/npy.js";
import { decodeRaw, encodeRaw, nest, tensorJson } from "../../src/protocols/v2/tensor.js";
import { formatTensor } from "../../src/ui/tensor-text.js";
import { tempDirs } from "./runtime/temp-dirs.js";

const temp = tempDirs("v2-tensors");

/** An .npy file as NumPy 1.x writes it (version 1.0 header padded to 64 bytes). */
function npy(descr: string, shape: string, body: Buffer, fortran = "False"): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  header += " ".repeat(63 - ((10 + header.length) % 64));
  header += "\n";
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, "latin1"), body]);
}

describe("v2 raw tensors", () => {
  it("round-trips every fixed-size datatype through little-endian bytes", () => {
    const cases: [string, unknown[]][] = [
      ["BOOL", [true, false, true]],
      ["UINT8", [0, 255]],
      ["INT8", [-128, 127]],
      ["UINT16", [0, 65535]],
      ["INT16", [-32768, 32767]],
      ["UINT32", [0, 4294967295]],
      ["INT32", [-2147483648, 2147483647]],
      ["UINT64", [0, 2 ** 53]],
      ["INT64", [-(2 ** 53), 2 ** 53]],
      ["FP32", [1.5, -0.25, 3.4028234663852886e38]],
      ["FP64", [Math.PI, -1e-300]],
      ["FP16", [1, -2, 0.5, 65504]],
      ["BF16", [1, -2, 0.5]],
    ];
    for (const [datatype, values] of cases) {
      expect(decodeRaw(datatype, encodeRaw(datatype, values)), datatype).toEqual(values);
    }
    expect(encodeRaw("FP16", [1])).toEqual(Buffer.from([0x00, 0x3c]));
    expect(encodeRaw("BF16", [1])).toEqual(Buffer.from([0x80, 0x3f]));
  });

  it("frames BYTES as 4-byte little-endian lengths", () => {
    const raw = encodeRaw("BYTES", ["hi", "é"]);
    expect(raw).toEqual(Buffer.from([2, 0, 0, 0, 0x68, 0x69, 2, 0, 0, 0, 0xc3, 0xa9]));
    expect(decodeRaw("BYTES", raw)).toEqual(["hi", "é"]);
  });

  it("nests flat data into its shape", () => {
    expect(nest([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(nest([7], [])).toBe(7);
  });

  it("keeps -0 in JSON requests", () => {
    expect(tensorJson({ data: [-0, 0, 1.5] })).toBe('{"data":[-0.0,0,1.5]}');
    expect(Object.is(JSON.parse(tensorJson([-0]))[0], -0)).toBe(true);
  });
});

describe(".npy files", () => {
  it("reads float32 C-order arrays and writes files NumPy's header rules accept", () => {
    const values = [1, -2.5, 0, 3];
    const file = npy("<f4", "(2, 2)", encodeRaw("FP32", values));
    const read = readNpy(file);
    expect(read).toMatchObject({ datatype: "FP32", shape: [2, 2] });
    expect(decodeRaw("FP32", read.raw)).toEqual(values);
    const written = writeNpy("FP32", [2, 2], read.raw);
    expect(written.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    const headerEnd = 10 + written.readUInt16LE(8);
    expect(headerEnd % 64).toBe(0);
    expect(written.subarray(10, headerEnd).toString()).toMatch(
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 2\), \} *\n$/,
    );
    expect(readNpy(written).raw).toEqual(read.raw);
    expect(readNpy(writeNpy("INT64", [3], encodeRaw("INT64", [1, 2, 3]))).shape).toEqual([3]);
  });

  it("swaps big-endian data, reads bool, int and string arrays, and refuses what it cannot send", () => {
    const be = Buffer.alloc(8);
    be.writeFloatBE(1.5, 0);
    be.writeFloatBE(-1, 4);
    expect(decodeRaw("FP32", readNpy(npy(">f4", "(2,)", be)).raw)).toEqual([1.5, -1]);
    expect(readNpy(npy("|b1", "(2,)", Buffer.from([1, 0]))).datatype).toBe("BOOL");
    const unicode = Buffer.alloc(16);
    unicode.writeUInt32LE(0x68, 0);
    unicode.writeUInt32LE(0x69, 4);
    unicode.writeUInt32LE(0xe9, 8);
    const strings = readNpy(npy("<U2", "(2,)", unicode));
    expect(strings.datatype).toBe("BYTES");
    expect(decodeRaw("BYTES", strings.raw)).toEqual(["hi", "é"]);
    expect(decodeRaw("BYTES", readNpy(writeNpy("BYTES", [2], strings.raw)).raw)).toEqual(["hi", "é"]);
    expect(() => readNpy(npy("<f4", "(2, 2)", Buffer.alloc(16), "True"))).toThrow(/Fortran order/);
    expect(() => readNpy(npy("|O", "(1,)", Buffer.alloc(8)))).toThrow(/Python objects/);
    expect(() => readNpy(Buffer.from("not numpy"))).toThrow(NpyError);
  });
});

const meta = (inputs: ModelMetadata["inputs"]): ModelMetadata => ({
  name: "m",
  versions: ["1"],
  platform: "python",
  inputs,
  outputs: [],
});

describe("v2 inputs from --data and -i", () => {
  const features = meta([{ name: "FEATURES", datatype: "FP32", shape: [-1, 4] }]);

  it("takes nested arrays, a row without its batch dimension, and objects of named tensors", async () => {
    expect(await buildInferInputs({ data: "[[1,1,1,1]]" }, features, "/")).toEqual([
      { name: "FEATURES", shape: [1, 4], datatype: "FP32", data: [1, 1, 1, 1] },
    ]);
    expect((await buildInferInputs({ data: "[1,2,3,4]" }, features, "/"))[0]?.shape).toEqual([1, 4]);
    const two = meta([
      { name: "A", datatype: "INT64", shape: [-1, 2] },
      { name: "B", datatype: "BOOL", shape: [-1, 1] },
    ]);
    const named = await buildInferInputs({ data: '{"A": [[1, 2]], "B": [[true]]}' }, two, "/");
    expect(named.map((i) => [i.name, i.shape, i.data])).toEqual([
      ["A", [1, 2], [1, 2]],
      ["B", [1, 1], [true]],
    ]);
  });

  it("names the expected shape with an example when values do not fit, and catches ragged rows", async () => {
    const wrong = await buildInferInputs({ data: "[[1,2,3]]" }, features, "/").catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(MserveError);
    expect((wrong as MserveError).message).toBe('input "FEATURES" has shape [1,3], but m expects [-1,4]');
    expect((wrong as MserveError).hint).toMatch(/FEATURES takes shape \[-1,4\].*e\.g\. \[\[0,0,0,0\]\]/);
    const ragged = await buildInferInputs({ data: "[[1,2,3,4],[1,2]]" }, features, "/").catch(
      (e: unknown) => e,
    );
    expect((ragged as MserveError).message).toMatch(
      /not rectangular: the value\[1\] has 2 values where the rest have 4/,
    );
    const unknown = await buildInferInputs({ data: '{"X": [1]}' }, features, "/").catch((e: unknown) => e);
    expect((unknown as MserveError).message).toMatch(/m has no input "X"/);
  });

  it("reads -i NAME=@file.npy and checks its datatype", async () => {
    const dir = await temp();
    await writeFile(join(dir, "x.npy"), npy("<f4", "(2, 4)", encodeRaw("FP32", [1, 2, 3, 4, 5, 6, 7, 8])));
    await writeFile(join(dir, "i.npy"), npy("<i8", "(1, 4)", encodeRaw("INT64", [1, 2, 3, 4])));
    const [input] = await buildInferInputs({ input: ["FEATURES=@x.npy"] }, features, dir);
    expect(input).toMatchObject({ name: "FEATURES", shape: [2, 4], datatype: "FP32" });
    expect(decodeRaw("FP32", input?.raw as Buffer)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const typed = await buildInferInputs({ input: ["FEATURES=@i.npy"] }, features, dir).catch(
      (e: unknown) => e,
    );
    expect((typed as MserveError).message).toMatch(/i\.npy holds INT64 values, but input "FEATURES" is FP32/);
    expect((typed as MserveError).hint).toMatch(/astype\(np\.float32\)/);
  });
});

describe("tensors as text", () => {
  it("prints one innermost row per line, and summarizes large tensors like NumPy", () => {
    expect(formatTensor({ name: "Y", datatype: "FP32", shape: [2, 2], data: [1, 2, 3, 0.1] })).toBe(
      "[[1, 2],\n [3, 0.1]]",
    );
    const big = formatTensor({
      name: "Y",
      datatype: "INT32",
      shape: [8, 1024],
      data: Array.from({ length: 8192 }, (_, i) => i),
    });
    expect(big.split("\n")).toHaveLength(7);
    expect(big.split("\n")[0]).toBe("[[0, 1, 2, ..., 1021, 1022, 1023],");
  });
});
