import { describe, expect, it } from "vitest";
import { projectFileSchema } from "../../src/config/find-project.js";
import { parseProjectText as parseWith } from "../../src/config/project.js";
import { colorFor } from "../../src/context.js";

const schema = await projectFileSchema();
const parseProjectText = (text: string, file: string) => parseWith(text, file, schema);

describe("mserve.yaml", () => {
  it("accepts the documented keys and coerces a numeric version to a string", () => {
    const config = parseProjectText(
      "name: intent\nversion: 3\nextra-files: [a, b]\ntargets:\n  torchserve: {archive-format: tgz}\n",
      "m.yaml",
    );
    expect(config).toMatchObject({
      name: "intent",
      version: "3",
      "extra-files": ["a", "b"],
      targets: { torchserve: { "archive-format": "tgz" } },
    });
  });

  it("reports every unknown key and wrong value with line and column", () => {
    try {
      parseProjectText("name: x\nbogus: 1\ntargets:\n  torchserve:\n    runtime: java\n", "m.yaml");
      expect.unreachable();
    } catch (error) {
      const diagnostics = (error as { details: { diagnostics: unknown[] } }).details.diagnostics;
      expect(diagnostics).toEqual([
        expect.objectContaining({ message: 'unknown key "bogus"', line: 2, column: 1 }),
        expect.objectContaining({ path: "targets.torchserve.runtime", line: 5, column: 14 }),
      ]);
    }
  });

  it("reports YAML syntax errors with a position", () => {
    expect(() => parseProjectText("name: [unclosed\n", "m.yaml")).toThrow(/m\.yaml:\d+:\d+/);
  });

  it("rejects duplicate keys", () => {
    expect(() => parseProjectText("name: a\nname: b\n", "m.yaml")).toThrow(/m\.yaml:2/);
  });
});

describe("colour policy", () => {
  const tty = { isTTY: true };
  it.each([
    [{}, tty, undefined, true],
    [{}, {}, undefined, false],
    [{ NO_COLOR: "1" }, tty, undefined, false],
    [{ NO_COLOR: "" }, tty, undefined, true],
    [{ TERM: "dumb" }, tty, undefined, false],
    [{}, tty, false, false],
    [{ FORCE_COLOR: "1" }, {}, undefined, true],
    [{ FORCE_COLOR: "0" }, tty, undefined, false],
  ])("env %j on %j with flag %s → %s", (env, stream, flag, expected) => {
    expect(colorFor(stream, env, flag)).toBe(expected);
  });

  it("checks every target's section: a bad key under any of them is exit 3 with its line and column", () => {
    for (const [section, key] of [
      ["triton", "max_batch_size"],
      ["tfserving", "savedmodel"],
      ["kserve", "minReplica"],
      ["torchserve", "archive_format"],
    ] as const) {
      try {
        parseProjectText(`name: x\ntargets:\n  ${section}:\n    ${key}: 1\n`, "mserve.yaml");
        expect.unreachable();
      } catch (error) {
        expect((error as { exitCode: number }).exitCode).toBe(3);
        expect((error as Error).message).toContain(
          `mserve.yaml:4:5: error: unknown key "${key}" (targets.${section}.${key})`,
        );
      }
    }
    expect(() => parseProjectText("targets:\n  onnx: {}\n", "mserve.yaml")).toThrow(/unknown key "onnx"/);
    expect(() => parseProjectText("target: onnx\n", "mserve.yaml")).toThrow(/mserve\.yaml:1:9/);
    expect(
      parseProjectText("target: triton\ntargets:\n  kserve: {min-replicas: 0}\n", "m.yaml"),
    ).toMatchObject({
      target: "triton",
      targets: { kserve: { "min-replicas": 0 } },
    });
  });
});
