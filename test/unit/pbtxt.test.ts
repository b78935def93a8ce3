import { describe, expect, it } from "vitest";
import { parsePbtxt } from "../../src/pbtxt/parser.js";
import { schema } from "../../src/pbtxt/schemas/triton-model-config.js";
import { PbtxtError } from "../../src/pbtxt/tokenizer.js";
import { writePbtxt } from "../../src/pbtxt/writer.js";

const errorOf = (text: string) => {
  try {
    parsePbtxt(text, schema);
  } catch (error) {
    return error as PbtxtError;
  }
  throw new Error(`parsed: ${text}`);
};

describe("text-format parser (Triton ModelConfig)", () => {
  it("reports line and column of the offending token", () => {
    const e = errorOf('name: "m"\nmax_batch_size: 8\ninputs [ ]\n');
    expect(e).toBeInstanceOf(PbtxtError);
    expect([e.line, e.column]).toEqual([3, 1]);
    expect(e.message).toBe('3:1: message type "inference.ModelConfig" has no field named "inputs"');
    expect(errorOf("input [ { data_type: FP32 } ]").message).toMatch(
      /^1:22: unknown enumeration value of "FP32"/,
    );
    expect(errorOf('input [ { data_type: "TYPE_FP32" } ]').message).toMatch(
      /^1:22: expected integer or identifier/,
    );
    expect(errorOf("max_batch_size 8").message).toMatch(/^1:16: expected ":"/);
  });

  it("looks names up as own properties only: no constructor enum, __proto__ stays a map key", () => {
    expect(errorOf("input [ { data_type: constructor } ]").message).toMatch(
      /unknown enumeration value of "constructor"/,
    );
    expect(errorOf("input [ { data_type: toString } ]").message).toMatch(/unknown enumeration value/);
    const parsed = parsePbtxt('parameters { key: "__proto__" value { string_value: "x" } }', schema);
    expect(Object.keys(parsed.parameters as object)).toEqual(["__proto__"]);
    expect(writePbtxt(parsed, schema)).toMatch(/key: "__proto__"/);
  });

  it("follows the C++ parser Triton runs where Python's differs", () => {
    // \u escapes: C++ accepts them (UTF-8), Python's text_format fails on them.
    expect(parsePbtxt('name: "caf\\u00e9"', schema).name).toBe("café");
    // Unknown escapes: C++ refuses them, Python keeps them.
    expect(errorOf('name: "a\\qb"').message).toMatch(/invalid escape sequence \\q/);
  });

  it("keeps typed values: int64 dims as numbers, enums by name, maps as objects, floats as float32", () => {
    const config = parsePbtxt(
      'input [ { name: "x" data_type: 11 dims: [ -1, 0x10 ] } ] parameters { key: "a" value { string_value: "1" } } ' +
        'sequence_batching { control_input [ { name: "S" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0.1, 1 ] } ] } ] }',
      schema,
    );
    expect(config.input).toEqual([{ name: "x", data_type: "TYPE_FP32", dims: [-1, 16] }]);
    expect(config.parameters).toEqual({ a: { string_value: "1" } });
    const control = (
      config.sequence_batching as { control_input: { control: { fp32_false_true: number[] }[] }[] }
    ).control_input[0]?.control[0];
    expect(control?.fp32_false_true).toEqual([Math.fround(0.1), 1]);
  });

  it("writes canonical text in .proto declaration order that reads back the same", () => {
    const text =
      'max_batch_size: 8 name: "m" backend: "python" input { name: "t\\"q" data_type: TYPE_STRING dims: 1 } dynamic_batching < >';
    const written = writePbtxt(parsePbtxt(text, schema), schema);
    expect(written).toBe(
      [
        'name: "m"',
        'backend: "python"',
        "max_batch_size: 8",
        "input [",
        "  {",
        '    name: "t\\"q"',
        "    data_type: TYPE_STRING",
        "    dims: [ 1 ]",
        "  }",
        "]",
        "dynamic_batching { }",
        "",
      ].join("\n"),
    );
    expect(parsePbtxt(written, schema)).toEqual(parsePbtxt(text, schema));
  });
});
