import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchKserveValidate } from "./kserve-validate-bench.js";
import { benchLargeLoad } from "./large-load.js";
import { benchLifecycle } from "./lifecycle-bench.js";
import { benchOverhead } from "./overhead-bench.js";
import { benchPackaging, reportPackaging } from "./package-bench.js";
import { benchPerfAnalyzer } from "./perf-analyzer-bench.js";
import { benchRegistry } from "./registry-bench.js";
import { benchStartup } from "./startup-bench.js";
import { benchTritonValidate } from "./triton-validate-bench.js";
import { benchUnpack } from "./unpack-bench.js";

/**
 * `npm run bench`: packaging speed, size and memory against zip -0 and
 * torch-model-archiver, and start-up against node. MSERVE_BENCH_SIZES picks
 * the weight sizes in GiB (default "1,4.5"). Results go to stdout and bench/out/results.md.
 */
const root = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(root, "bench", "out");
const tools = {
  node: process.execPath,
  mserveBin: join(root, "bin", "mserve.js"),
  archiver: join(root, ".venv", "bin", "torch-model-archiver"),
};
const only = process.env.MSERVE_BENCH_ONLY;
const sizes = (process.env.MSERVE_BENCH_SIZES ?? "1,4.5").split(",").map(Number);

await mkdir(workDir, { recursive: true });
const sections: string[] = [`# mserve benchmarks (${new Date().toISOString()}, node ${process.version})`];
let allOk = true;
const startup = await benchStartup(tools.node, tools.mserveBin);
sections.push(startup.text);
allOk &&= startup.ok;
if (!only || only === "overhead") {
  const overhead = await benchOverhead({ ...tools, root });
  sections.push(overhead.text);
  allOk &&= overhead.ok;
}
if (!only || only === "perf-analyzer") {
  const compared = await benchPerfAnalyzer({ ...tools, root });
  sections.push(compared.text);
  allOk &&= compared.ok;
}
if (!only || only === "triton") {
  const triton = await benchTritonValidate({ ...tools, root }, workDir);
  sections.push(triton.text);
  allOk &&= triton.ok;
}
if (!only || only === "kserve") {
  const kserve = await benchKserveValidate({ ...tools, root }, workDir);
  sections.push(kserve.text);
  allOk &&= kserve.ok;
}
if (!only || only === "unpack") {
  const unpack = await benchUnpack(tools, workDir);
  sections.push(unpack.text);
  allOk &&= unpack.ok;
}
if (!only || only === "registry") {
  const registry = await benchRegistry({ ...tools, root }, workDir);
  sections.push(registry.text);
  allOk &&= registry.ok;
}
if (!only || only === "lifecycle") {
  const lifecycle = await benchLifecycle(
    { ...tools, torchserve: join(root, ".venv", "bin", "torchserve"), root },
    workDir,
  );
  sections.push(lifecycle.text);
}
for (const size of only ? [] : sizes) {
  const report = reportPackaging(size, await benchPackaging(workDir, size, tools));
  sections.push(report.text);
  allOk &&= report.ok;
}
// The largest archive must load in a real TorchServe (skip with MSERVE_BENCH_LOAD=0).
if (process.env.MSERVE_BENCH_LOAD !== "0" && !only) {
  const largest = Math.max(...sizes);
  const load = await benchLargeLoad(workDir, join(workDir, `pkg-${largest}g`, "weights.bin"), tools);
  sections.push(load.text);
  allOk &&= load.ok;
}
const output = `${sections.join("\n\n")}\n`;
process.stdout.write(output);
await writeFile(join(workDir, "results.md"), output);
if (!allOk) process.stderr.write("some targets were not met (see the tables)\n");
