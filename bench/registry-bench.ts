import { createHash, randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FileRegistry } from "../src/registry/file/backend.js";
import { parseRef, resolveInEntry } from "../src/registry/resolve.js";
import type { PushInput } from "../src/registry/types.js";
import { measure, median, table } from "./measure.js";
import { startTrivialServer } from "./overhead-bench.js";

const MODELS = 100;
const VERSIONS = 100;
const LONG_HISTORY = 10_000;
const by = { by: "bench" };

async function artifact(dir: string, name: string, version: string): Promise<PushInput> {
  const bytes = randomBytes(256);
  const path = join(dir, `${name}-${version}.bin`);
  await writeFile(path, bytes);
  return {
    path,
    name,
    version,
    target: "any",
    kind: "file",
    format: "file",
    sha256: createHash("sha256").update(bytes).digest("hex"),
    digest: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    tags: {},
  };
}

/** 100 models × 100 versions through the real push path, plus two models whose PROD moved 10 and 10,000 times. */
async function populate(root: string, scratch: string): Promise<{ seconds: number; operations: number }> {
  const registry = new FileRegistry(root);
  const started = Date.now();
  let operations = 0;
  const model = async (m: number) => {
    const name = `m${String(m).padStart(3, "0")}`;
    for (let v = 1; v <= VERSIONS; v++) {
      await registry.push(await artifact(scratch, name, String(v)), by);
      operations++;
    }
    await registry.release(name, String(VERSIONS - 1), "PROD", by);
    await registry.release(name, String(VERSIONS), "STG", by);
    operations += 2;
  };
  const queue = Array.from({ length: MODELS }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) await model(m);
    }),
  );
  for (const [name, moves] of [
    ["short", 10],
    ["long", LONG_HISTORY],
  ] as const) {
    for (const v of ["1", "2"]) await registry.push(await artifact(scratch, name, v), by);
    for (let i = 0; i < moves; i++) await registry.release(name, i % 2 ? "2" : "1", "PROD", by);
    operations += moves + 2;
  }
  return { seconds: (Date.now() - started) / 1000, operations };
}

/** In-process: what `predict intent@PROD` spends resolving before it sends anything. */
async function resolveLatency(root: string, runs = 200): Promise<number> {
  const spec = parseRef("m050@PROD");
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const registry = new FileRegistry(root);
    const entry = await registry.model("m050");
    resolveInEntry(entry as NonNullable<typeof entry>, spec as Exclude<typeof spec, { kind: "id" }>);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** What resolving an alias adds to a whole `mserve predict`, against a server that answers at once. */
async function predictOverhead(
  tools: { node: string; mserveBin: string; root: string },
  dir: string,
  runs: number,
) {
  // The stand-in holds m050@PROD's exact artifact: its store file name carries that version's digest.
  const entry = await new FileRegistry(join(dir, "home", "registry")).model("m050");
  // The release cases above leave PROD at 98 or 99: read where it points now.
  const prodVersion = entry?.aliases.PROD?.version ?? String(VERSIONS - 1);
  const prod = entry?.versions.find((v) => v.version === prodVersion);
  const digest = prod?.artifact.digest ?? prod?.artifact.sha256 ?? "0".repeat(64);
  const server = await startTrivialServer(tools, 0, `m050-${prodVersion}-${digest.slice(0, 12)}.mar`);
  const url = `http://127.0.0.1:${server.port}`;
  const args = (ref: string) => [
    "predict",
    ref,
    "--url",
    url,
    "--inference-url",
    url,
    "--data",
    "set a timer",
  ];
  const plain: number[] = [];
  const alias: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      plain.push((await measure(tools.node, [tools.mserveBin, ...args("m050")], dir)).wallSeconds * 1000);
      alias.push(
        (await measure(tools.node, [tools.mserveBin, ...args("m050@PROD")], dir)).wallSeconds * 1000,
      );
    }
  } finally {
    server.stop();
  }
  return { plainMs: median(plain), aliasMs: median(alias), deltaMs: median(alias) - median(plain) };
}

export async function benchRegistry(
  tools: { node: string; mserveBin: string; root: string },
  workDir: string,
) {
  const dir = join(workDir, "registry-bench");
  await rm(dir, { recursive: true, force: true });
  const home = join(dir, "home");
  const scratch = join(dir, "scratch");
  await mkdir(scratch, { recursive: true });
  const fill = await populate(join(home, "registry"), scratch);
  await rm(scratch, { recursive: true, force: true });

  process.env.MSERVE_HOME = home;
  const cli = (args: string[]) => measure(tools.node, [tools.mserveBin, ...args], dir);
  const cases: [string, () => string[]][] = [
    ["mserve --version (baseline)", () => ["--version"]],
    ["registry show m050@PROD (resolve)", () => ["registry", "show", "m050@PROD", "-o", "json"]],
    [
      "release m050 <v> --as PROD",
      (() => {
        let flip = 0;
        return () => ["release", "m050", String(++flip % 2 ? 98 : 99), "--as", "PROD"];
      })(),
    ],
    ["registry list (100 models, 10,000 versions)", () => ["registry", "list", "-o", "json"]],
    ["registry list m050 (100 versions)", () => ["registry", "list", "m050", "-o", "json"]],
    ["registry show short@PROD (history 12)", () => ["registry", "show", "short@PROD", "-o", "json"]],
    [
      `registry show long@PROD (history ${LONG_HISTORY + 2})`,
      () => ["registry", "show", "long@PROD", "-o", "json"],
    ],
    ["rollback short (history 12 events)", () => ["rollback", "short", "--alias", "PROD"]],
    [`rollback long (history ${LONG_HISTORY + 2} events)`, () => ["rollback", "long", "--alias", "PROD"]],
  ];
  const runs = 11;
  const wall = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    for (const [label, args] of cases) {
      const m = await cli(args());
      wall.set(label, [...(wall.get(label) ?? []), m.wallSeconds * 1000]);
      rss.set(label, [...(rss.get(label) ?? []), m.peakRssMB]);
    }
  }
  const base = median(wall.get(cases[0]?.[0] as string) ?? []);
  const rows = cases.map(([label]) => {
    const ms = median(wall.get(label) ?? []);
    return [label, ms.toFixed(1), (ms - base).toFixed(1), median(rss.get(label) ?? []).toFixed(1)];
  });
  const resolveMs = await resolveLatency(join(home, "registry"));
  const predict = await predictOverhead(tools, dir, runs);
  const showDelta = median(wall.get(cases[1]?.[0] as string) ?? []) - base;
  const shortRss = median(rss.get(cases[7]?.[0] as string) ?? []);
  const longRss = median(rss.get(cases[8]?.[0] as string) ?? []);
  const ok = resolveMs < 50 && predict.deltaMs < 50 && longRss - shortRss < 10;
  const text = [
    `### registry: ${MODELS} models × ${VERSIONS} versions (embedded file backend)`,
    "",
    `Filled through the real push/release path: ${fill.operations} operations in ${fill.seconds.toFixed(1)} s (4 writers).`,
    "",
    table(["command", `median of ${runs} (ms)`, "over --version (ms)", "peak RSS (MB)"], rows),
    "",
    `resolve in-process (open registry, read m050, resolve @PROD; median of 200): ${resolveMs.toFixed(2)} ms (target < 50 ms)`,
    `predict against a stand-in server (bench/trivial-server.mjs), median of ${runs}: \`predict m050\` (no registry) ${predict.plainMs.toFixed(1)} ms, \`predict m050@PROD\` ${predict.aliasMs.toFixed(1)} ms: the resolve adds ${predict.deltaMs.toFixed(1)} ms (target < 50 ms)`,
    `registry show m050@PROD over mserve --version: ${showDelta.toFixed(1)} ms (module loading and start-up of a command, not the resolve)`,
    `rollback peak RSS with history ${LONG_HISTORY + 2} vs 12 events: ${longRss.toFixed(1)} vs ${shortRss.toFixed(1)} MB (target: flat, < 10 MB apart)`,
    `${ok ? "targets met" : "targets NOT met"}`,
  ].join("\n");
  return { text, ok };
}
