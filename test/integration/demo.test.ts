import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { mserve, repoRoot } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveMissing } from "../helpers/torchserve.js";

const missing = torchserveMissing();
requireOrSkip(missing);

/** `npm run demo` (scripts/demo.mjs): package, push, release PROD, serve, predict PROD, stop. */
describe.skipIf(Boolean(missing))("npm run demo", () => {
  it("prints PROD's answers for the samples and leaves no server running", async () => {
    const home = await mkdtemp(join(tmpdir(), "mserve-demo-"));
    try {
      const demo = await execa("node", [join(repoRoot, "scripts", "demo.mjs")], {
        cwd: repoRoot,
        env: { MSERVE_HOME: home, NO_COLOR: "1", CI: "1" },
        reject: false,
      });
      expect(demo.exitCode, demo.stderr).toBe(0);
      const answers = demo.stdout.split("\n").filter((l) => /^ {2}".*→/.test(l));
      expect(answers).toHaveLength(6);
      expect(answers.every((l) => l.trimEnd().endsWith("✔"))).toBe(true);
      expect(demo.stdout).toContain(`lives in ${home}`);
      const ps = await mserve(["ps", "-o", "json"], { cwd: repoRoot, env: { MSERVE_HOME: home } });
      expect(JSON.parse(ps.stdout).servers).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 240_000);
});
