import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNTIMES } from "../../src/setup/runtimes.js";
import { repoRoot } from "../helpers/cli.js";

describe("mserve setup's runtimes", () => {
  it("pin what the repository's own requirements files pin (what the tests run against)", async () => {
    expect(Object.keys(RUNTIMES)).toEqual(
      expect.arrayContaining(["torchserve", "triton", "kserve", "mlserver", "mlflow"]),
    );
    for (const [name, spec] of Object.entries(RUNTIMES)) {
      const lines = (await readFile(join(repoRoot, spec.requirementsFile), "utf8"))
        .split("\n")
        .map((l) => l.replace(/#.*/, "").trim())
        .filter(Boolean);
      for (const pin of spec.packages) expect(lines, `${name}: ${pin}`).toContain(pin);
      // torch is always pinned: a bare `torch` resolves to a multi-GB CUDA build.
      for (const pin of spec.packages.filter((p) => p.startsWith("torch"))) expect(pin, name).toMatch(/==/);
    }
  });
});
