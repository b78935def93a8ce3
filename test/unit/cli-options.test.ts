import { describe, expect, it } from "vitest";
import { COMMAND_LOADERS } from "../../src/cli/loaders.js";
import { attributeName, opt } from "../../src/cli/options.js";
import { parseOptions } from "../../src/cli/parse.js";
import { buildProgram } from "../../src/cli/program.js";
import { COMMAND_SPECS } from "../../src/cli/specs/index.js";
import { MserveError } from "../../src/errors.js";

describe("option specs", () => {
  it("every command's options are keyed by the name commander stores them under, and each has a module", () => {
    expect(() => buildProgram("0.0.0", async () => {})).not.toThrow();
    for (const spec of COMMAND_SPECS) {
      for (const [key, option] of Object.entries(spec.options))
        expect(attributeName(option.flags), spec.name).toBe(key);
      const isGroup = COMMAND_SPECS.some((s) => s.name.startsWith(`${spec.name} `));
      if (!isGroup) expect(COMMAND_LOADERS[spec.name], spec.name).toBeTypeOf("function");
    }
  });

  it("parses whole numbers with a usage error that names the flag", () => {
    const specs = { minWorkers: opt.int("--min-workers <n>", "", 0), pct: opt.int("--pct <n>", "", 0, 100) };
    expect(parseOptions(specs, { minWorkers: "3", pct: "100" })).toEqual({ minWorkers: 3, pct: 100 });
    for (const [raw, message] of [
      [{ minWorkers: "-1" }, '--min-workers must be a whole number ≥ 0, got "-1"'],
      [{ minWorkers: "1.5" }, '--min-workers must be a whole number ≥ 0, got "1.5"'],
      [{ pct: "101" }, '--pct must be a whole number from 0 to 100, got "101"'],
    ] as const) {
      try {
        parseOptions(specs, raw);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(MserveError);
        expect((error as MserveError).exitCode).toBe(2);
        expect((error as MserveError).message).toBe(message);
      }
    }
  });

  it("fills defaults, lists and negatable flags, and drops keys it does not declare", () => {
    const specs = {
      wait: opt.negatable("--no-wait", ""),
      label: opt.list("--label <x>", ""),
      warmup: opt.string("--warmup <d>", "", { default: "3s" }),
    };
    expect(parseOptions(specs, { output: "json", debug: true })).toEqual({
      wait: true,
      label: [],
      warmup: "3s",
    });
    expect(parseOptions(specs, { wait: false, label: ["a=1"] })).toMatchObject({
      wait: false,
      label: ["a=1"],
    });
  });
});
