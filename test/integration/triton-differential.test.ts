import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics.js";
import { locateTriton } from "../../src/targets/triton/locate.js";
import { validateTriton } from "../../src/targets/triton/validate.js";
import { repoRoot } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { classify, HARNESS_CASES, type HarnessCase, type Mode } from "../helpers/triton-cases.js";
import { type LoadOutcome, PYTHON_BASED_BACKENDS, TritonUnderTest } from "../helpers/triton-server.js";

/**
 * Differential test of `mserve validate` against the real tritonserver 2.51
 * (nvidia-pytriton's, in .venv-triton): every generated case is loaded through
 * the repository API in explicit mode, once by a server in Triton's default
 * mode and once by one started with --disable-auto-complete-config, and
 * validated by mserve in the matching mode (strictModelConfig). They must agree
 * on accept/reject, and on a rejection mserve must name the rule Triton's
 * message maps to (triton-cases.ts classify). Cases whose outcome depends on
 * the host's GPUs must get a warning of that rule instead.
 */
const install = locateTriton({ ...process.env, PATH: "" }, repoRoot);
const missing = install
  ? undefined
  : "tritonserver (nvidia-pytriton in .venv-triton) not found: run `npm run setup:python`";
requireOrSkip(missing, "the Triton differential tests");

interface Row {
  id: string;
  family: string;
  mode: Mode;
  triton: LoadOutcome;
  expected?: string[];
  mserve: Diagnostic[];
  agree: boolean;
  why?: string;
  ms?: number;
}

const usesPythonBasedBackend = (c: HarnessCase) =>
  Object.entries(c.models).some(
    ([model, files]) =>
      PYTHON_BASED_BACKENDS.some((b) => model.endsWith(`.${b}`)) ||
      PYTHON_BASED_BACKENDS.some((b) => files["config.pbtxt"]?.includes(`backend: "${b}"`)),
  );

async function writeCase(repository: string, c: HarnessCase) {
  for (const [model, files] of Object.entries(c.models)) {
    await mkdir(join(repository, model), { recursive: true });
    for (const [path, content] of Object.entries(files)) {
      const full = join(repository, model, path);
      if (content === null) await mkdir(full, { recursive: true });
      else {
        await mkdir(join(full, ".."), { recursive: true });
        await writeFile(full, content);
      }
    }
  }
}

function judge(c: HarnessCase, mode: Mode, triton: LoadOutcome, diagnostics: Diagnostic[]): Row {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const row: Row = { id: c.id, family: c.family, mode, triton, mserve: diagnostics, agree: false };
  if (triton.ok) {
    row.agree = errors.length === 0;
    if (!row.agree)
      row.why = `Triton loads it; mserve refuses: ${errors.map((e) => `[${e.rule}] ${e.message}`).join("; ")}`;
    return row;
  }
  const expected = classify(triton.message);
  if (expected) row.expected = expected;
  if (!expected) {
    row.why = `Triton's message is not classified: ${triton.message}`;
    return row;
  }
  const named = (severity: Diagnostic["severity"]) =>
    diagnostics.some((d) => d.severity === severity && expected.includes(d.rule));
  if (c.machineDependent) {
    row.agree = errors.length === 0 && named("warning");
    if (!row.agree)
      row.why = `host-dependent refusal; mserve should warn [${expected.join("|")}], got ${JSON.stringify(diagnostics.map((d) => [d.severity, d.rule]))}`;
    return row;
  }
  row.agree = named("error");
  if (!row.agree)
    row.why =
      errors.length === 0
        ? `Triton refuses (${triton.message}); mserve accepts`
        : `Triton refuses [${expected.join("|")}] (${triton.message}); mserve names ${errors.map((e) => e.rule).join(", ")}`;
  return row;
}

describe.skipIf(Boolean(missing))("mserve validate agrees with tritonserver 2.51 (differential)", () => {
  let dir: string;
  let repository: string;
  /**
   * Triton serializes loads within one server (the repository manager holds its
   * lock while a load runs), and in default mode every Python model waits ~1.3 s
   * for its auto-complete stub: several servers share the repository instead.
   */
  const WORKERS: Record<Mode, number> = { default: 3, strict: 1 };
  const servers: Record<Mode, TritonUnderTest[]> = { default: [], strict: [] };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mserve-triton-diff-"));
    repository = join(dir, "repo");
    await mkdir(repository);
    for (const c of HARNESS_CASES) await writeCase(repository, c);
    for (const mode of ["default", "strict"] as const) {
      servers[mode] = await Promise.all(
        Array.from({ length: WORKERS[mode] }, (_, i) =>
          TritonUnderTest.start(install as NonNullable<typeof install>, {
            repository,
            workDir: join(dir, `${mode}${i}-0`),
            strict: mode === "strict",
          }),
        ),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...servers.default, ...servers.strict].map((s) => s.stop()));
    if (dir && !process.env.MSERVE_KEEP_DIFF) await rm(dir, { recursive: true, force: true });
  });

  it("agrees on every generated case, in Triton's default mode and with auto-complete off", async () => {
    const rows: Row[] = [];
    let crashes = 0;
    const runCase = async (mode: Mode, worker: number, c: HarnessCase) => {
      const server = servers[mode][worker] as TritonUnderTest;
      const started = Date.now();
      let triton = await server.load(c.id, Object.keys(c.models));
      // A crash is the server's flake, not the case's answer: once more on a fresh server.
      if (triton.crashed) {
        crashes++;
        servers[mode][worker] = await server.restart();
        triton = await (servers[mode][worker] as TritonUnderTest).load(c.id, Object.keys(c.models));
      }
      // Models of Python-based backends stay loaded: unloading them (and so their backend) can
      // crash this tritonserver (signal 11 seen with several such backends at once).
      const current = servers[mode][worker] as TritonUnderTest;
      if (triton.ok && !usesPythonBasedBackend(c)) await current.unload(c.id);
      if (triton.hung || triton.crashed) servers[mode][worker] = await current.restart();
      const ours = await validateTriton(join(repository, c.id), "/", {
        strictModelConfig: mode === "strict",
      });
      rows.push({ ...judge(c, mode, triton, ours.diagnostics), ms: Date.now() - started });
    };
    // Each server takes one case at a time; cases that hang a server (which is then restarted) go last.
    await Promise.all(
      (["default", "strict"] as const).map(async (mode) => {
        const queue = HARNESS_CASES.filter((c) => !c.hangs);
        await Promise.all(
          servers[mode].map(async (_, worker) => {
            for (let c = queue.shift(); c; c = queue.shift()) await runCase(mode, worker, c);
          }),
        );
        for (const c of HARNESS_CASES.filter((x) => x.hangs)) await runCase(mode, 0, c);
      }),
    );
    const families = [...new Set(HARNESS_CASES.map((c) => c.family))];
    const lines = families.map((family) => {
      const mine = rows.filter((r) => r.family === family);
      const refused = mine.filter((r) => !r.triton.ok).length;
      return `${family.padEnd(15)} ${String(mine.length / 2).padStart(3)} cases × 2 modes: ${mine.filter((r) => r.agree).length}/${mine.length} agree (Triton refused ${refused}, loaded ${mine.length - refused})`;
    });
    const disagreements = rows.filter((r) => !r.agree);
    console.log(
      [
        `Triton differential: ${HARNESS_CASES.length} cases, ${rows.length} loads, ${rows.length - disagreements.length} agree (servers restarted after a crash: ${crashes})`,
        ...lines,
        ...disagreements.map((r) => `  DISAGREE ${r.id} (${r.mode}): ${r.why}`),
      ].join("\n"),
    );
    if (process.env.MSERVE_DIFF_REPORT)
      await writeFile(process.env.MSERVE_DIFF_REPORT, JSON.stringify(rows, null, 2));
    expect(disagreements.map((r) => `${r.id} (${r.mode}): ${r.why}`)).toEqual([]);
  }, 600_000);
});
