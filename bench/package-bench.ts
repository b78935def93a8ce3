import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { type Measurement, measure, table } from "./measure.js";
import { ensureWeightsFile } from "./weights.js";

const GiB = 1024 ** 3;

export interface PackageRow extends Measurement {
  tool: string;
  format: string;
  outputBytes: number;
}

interface Tools {
  node: string;
  mserveBin: string;
  archiver: string;
}

/**
 * Packages one float32 weights file with zip -0, torch-model-archiver and
 * mserve in the same run, on a warm page cache for every tool alike.
 */
export async function benchPackaging(workDir: string, sizeGiB: number, tools: Tools): Promise<PackageRow[]> {
  const dir = join(workDir, `pkg-${sizeGiB}g`);
  await mkdir(dir, { recursive: true });
  const weights = join(dir, "weights.bin");
  process.stderr.write(`generating ${sizeGiB} GiB of float32 weights…\n`);
  await ensureWeightsFile(weights, Math.round(sizeGiB * GiB));
  await writeFile(join(dir, "handler.py"), "def handle(data, context):\n    return data\n");
  await execa("cat", [weights], { stdout: "ignore" }); // warm the page cache for everyone

  const common = [
    "--model-name",
    "weights",
    "-v",
    "1",
    "--serialized-file",
    "weights.bin",
    "--handler",
    "handler.py",
  ];
  const runs: Array<{ tool: string; format: string; cmd: string; args: string[]; output: string }> = [
    {
      tool: "zip -0",
      format: "stored zip",
      cmd: "zip",
      args: ["-0", "-q", "out/zip0.zip", "weights.bin"],
      output: "out/zip0.zip",
    },
    {
      tool: "mserve",
      format: "zip-store",
      cmd: tools.node,
      args: [
        tools.mserveBin,
        "package",
        ...common,
        "--archive-format",
        "zip-store",
        "--export-path",
        "out",
        "-f",
        "-q",
      ],
      output: "out/weights.mar",
    },
    {
      tool: "torch-model-archiver",
      format: "zip-store",
      cmd: tools.archiver,
      args: [...common, "--archive-format", "zip-store", "--export-path", "out", "-f"],
      output: "out/weights.mar",
    },
    {
      tool: "mserve",
      format: "default",
      cmd: tools.node,
      args: [tools.mserveBin, "package", ...common, "--export-path", "out", "-f", "-q"],
      output: "out/weights.mar",
    },
    {
      tool: "torch-model-archiver",
      format: "default",
      cmd: tools.archiver,
      args: [...common, "--export-path", "out", "-f"],
      output: "out/weights.mar",
    },
  ];
  const rows: PackageRow[] = [];
  for (const run of runs) {
    await rm(join(dir, "out"), { recursive: true, force: true });
    await mkdir(join(dir, "out"));
    process.stderr.write(`${sizeGiB} GiB: ${run.tool} ${run.format}…\n`);
    const m = await measure(run.cmd, run.args, dir);
    const outputBytes = (await stat(join(dir, run.output))).size;
    rows.push({ tool: run.tool, format: run.format, outputBytes, ...m });
  }
  await rm(join(dir, "out"), { recursive: true, force: true });
  return rows;
}

const find = (rows: PackageRow[], tool: string, format: string) =>
  rows.find((r) => r.tool === tool && r.format === format) as PackageRow;

export function reportPackaging(sizeGiB: number, rows: PackageRow[]): { text: string; ok: boolean } {
  const storeRatio =
    find(rows, "mserve", "zip-store").wallSeconds / find(rows, "zip -0", "stored zip").wallSeconds;
  const speedup =
    find(rows, "torch-model-archiver", "default").wallSeconds / find(rows, "mserve", "default").wallSeconds;
  const sizeRatio =
    find(rows, "mserve", "default").outputBytes / find(rows, "torch-model-archiver", "default").outputBytes;
  const peak = Math.max(...rows.filter((r) => r.tool === "mserve").map((r) => r.peakRssMB));
  const checks = [
    [`mserve zip-store / zip -0 wall time`, storeRatio.toFixed(2), "≤ 1.5", storeRatio <= 1.5],
    [`torch-model-archiver default / mserve default wall time`, speedup.toFixed(1), "≥ 5", speedup >= 5],
    [`mserve default / torch-model-archiver default size`, sizeRatio.toFixed(3), "≤ 1.10", sizeRatio <= 1.1],
    [`mserve peak RSS (MB)`, peak.toFixed(0), "< 150", peak < 150],
  ] as const;
  const text = [
    `### ${sizeGiB} GiB float32 weights`,
    "",
    table(
      ["tool", "format", "wall (s)", "output (bytes)", "peak RSS (MB)"],
      rows.map((r) => [r.tool, r.format, r.wallSeconds.toFixed(2), r.outputBytes, r.peakRssMB.toFixed(0)]),
    ),
    "",
    table(
      ["check", "value", "target", "met"],
      checks.map(([c, v, t, ok]) => [c, v, t, ok ? "yes" : "NO"]),
    ),
  ].join("\n");
  return { text, ok: checks.every((c) => c[3]) };
}
