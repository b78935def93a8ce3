/**
 * Writes test/fixtures/triton-corpus from a differential run: the cases on
 * which mserve's validator disagreed with tritonserver before issue 15, with
 * what Triton answered in each mode, so test/unit/triton-corpus.test.ts keeps
 * them fixed without a server.
 *
 *   MSERVE_DIFF_REPORT=/tmp/diff.json npx vitest run test/integration/triton-differential.test.ts
 *   npx tsx test/helpers/record-triton-corpus.ts /tmp/diff.json old-verdicts.json
 *
 * old-verdicts.json: [{ id, verdict }] from running the previous validator on the same cases.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "./cli.js";
import { classify, HARNESS_CASES } from "./triton-cases.js";

interface ReportRow {
  id: string;
  mode: "default" | "strict";
  triton: { ok: boolean; message: string };
}

const [reportPath, verdictsPath] = process.argv.slice(2);
if (!reportPath || !verdictsPath)
  throw new Error("usage: record-triton-corpus.ts <diff report> <old verdicts>");
const rows = JSON.parse(await readFile(reportPath, "utf8")) as ReportRow[];
const verdicts = JSON.parse(await readFile(verdictsPath, "utf8")) as { id: string; verdict: string }[];
const root = join(repoRoot, "test", "fixtures", "triton-corpus");
await rm(root, { recursive: true, force: true });
const expected = [];
for (const { id, verdict } of verdicts) {
  const c = HARNESS_CASES.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id}`);
  for (const [model, files] of Object.entries(c.models)) {
    for (const [path, content] of Object.entries(files)) {
      const full = join(root, "cases", id, model, path);
      // git keeps no empty folders: a .keep file stands in (Triton and mserve ignore it).
      if (content === null) {
        await mkdir(full, { recursive: true });
        await writeFile(join(full, ".keep"), "");
      } else {
        await mkdir(join(full, ".."), { recursive: true });
        await writeFile(full, content);
      }
    }
  }
  const triton = Object.fromEntries(
    rows
      .filter((r) => r.id === id)
      .map((r) => [
        r.mode,
        r.triton.ok
          ? { loads: true }
          : {
              loads: false,
              rules: classify(r.triton.message) ?? [],
              message: r.triton.message.replace(/\/tmp\/mserve-triton-diff-[^/]+/g, "<tmp>").trim(),
            },
      ]),
  );
  expected.push({
    id,
    family: c.family,
    what: c.what,
    before: verdict,
    ...(c.machineDependent ? { machineDependent: true } : {}),
    triton,
  });
}
await writeFile(join(root, "expected.json"), `${JSON.stringify(expected, null, 2)}\n`);
console.log(`${expected.length} cases written to ${root}`);
