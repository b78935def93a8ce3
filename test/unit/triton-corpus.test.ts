import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateTriton } from "../../src/targets/triton/validate.js";
import { repoRoot } from "../helpers/cli.js";

/**
 * The cases on which `mserve validate` disagreed with tritonserver 2.51 before
 * issue 15 (refusals of configs it loads, acceptances of configs it refuses,
 * the wrong rule named), with what the server answered in its default mode and
 * with --disable-auto-complete-config. Recorded by the differential harness
 * (test/helpers/record-triton-corpus.ts); no server needed here.
 */
interface Outcome {
  loads: boolean;
  rules?: string[];
  message?: string;
}
interface CorpusCase {
  id: string;
  family: string;
  what: string;
  before: string;
  machineDependent?: boolean;
  triton: Record<"default" | "strict", Outcome>;
}

const root = join(repoRoot, "test", "fixtures", "triton-corpus");
const corpus = JSON.parse(readFileSync(join(root, "expected.json"), "utf8")) as CorpusCase[];

describe("Triton disagreements fixed (corpus recorded from tritonserver 2.51)", () => {
  it.each(corpus.map((c) => [`${c.id}: ${c.what} (was ${c.before})`, c] as const))("%s", async (_, c) => {
    for (const mode of ["default", "strict"] as const) {
      const outcome = c.triton[mode];
      const { diagnostics } = await validateTriton(join(root, "cases", c.id, c.id), "/", {
        strictModelConfig: mode === "strict",
      });
      const errors = diagnostics.filter((d) => d.severity === "error").map((d) => d.rule);
      const warnings = diagnostics.filter((d) => d.severity === "warning").map((d) => d.rule);
      const label = `${c.id} (${mode}): ${outcome.message ?? "loads"}`;
      if (outcome.loads) expect(errors, label).toEqual([]);
      else if (c.machineDependent) {
        expect(errors, label).toEqual([]);
        expect(
          warnings.some((r) => outcome.rules?.includes(r)),
          label,
        ).toBe(true);
      } else
        expect(
          errors.some((r) => outcome.rules?.includes(r)),
          `${label}\nmserve: ${errors}`,
        ).toBe(true);
    }
  });
});
