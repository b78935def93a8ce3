import { describe, expect, it } from "vitest";
import { checkModelName, checkVersion } from "../../src/model/names.js";
import { parseHandler } from "../../src/targets/torchserve/handlers.js";

describe("model names and versions", () => {
  it.each(["intent", "my-model.v2", "A_1", "9lives"])("accepts the name %s", (name) => {
    expect(checkModelName(name)).toBe(name);
  });
  it.each(["", "-lead", ".hidden", "has space", "slash/name", "a..b", "ünï"])(
    "rejects the name %j",
    (name) => {
      expect(() => checkModelName(name)).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
    },
  );
  it.each(["1", "1.0", "2026-11-25", "v1_beta", "1~rc"])("accepts the version %s", (v) => {
    expect(checkVersion(v)).toBe(v);
  });
  it.each(["", "  ", "1 beta", "a/b", "1?x", "..", ".", "1..2", "50%"])("rejects the version %j", (v) => {
    expect(() => checkVersion(v)).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
  });
});

describe("handler values", () => {
  it.each([
    ["text_classifier", { kind: "builtin", manifestValue: "text_classifier" }],
    ["densenet_handler", { kind: "builtin", manifestValue: "densenet_handler" }],
    ["my_handler", { kind: "file", manifestValue: "my_handler", file: "my_handler.py" }],
    ["src/my_handler.py", { kind: "file", manifestValue: "my_handler.py", file: "src/my_handler.py" }],
    [
      "my_handler:handle",
      { kind: "file", manifestValue: "my_handler:handle", file: "my_handler.py", entryPoint: "handle" },
    ],
    ["dir/h.py:run", { kind: "file", manifestValue: "h.py:run", file: "dir/h.py", entryPoint: "run" }],
    [
      "text_classifier:handle",
      {
        kind: "file",
        manifestValue: "text_classifier:handle",
        file: "text_classifier.py",
        entryPoint: "handle",
      },
    ],
  ])("reads %s like the worker will", (value, expected) => {
    expect(parseHandler(value, "python")).toEqual(expected);
  });

  it("adds the shared-library suffix for the LSP runtime", () => {
    expect(parseHandler("libhandler", "LSP")).toMatchObject({
      file: process.platform === "darwin" ? "libhandler.dylib" : "libhandler.so",
    });
  });
});
