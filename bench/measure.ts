import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

export interface Measurement {
  wallSeconds: number;
  peakRssMB: number;
}

/** Wall time and peak RSS of one command, via GNU time (the child's own numbers, not ours). */
export async function measure(command: string, args: string[], cwd: string): Promise<Measurement> {
  const out = join(tmpdir(), `mserve-bench-time-${process.pid}-${Date.now()}`);
  const started = process.hrtime.bigint();
  await execa("/usr/bin/time", ["-f", "%e %M", "-o", out, command, ...args], {
    cwd,
    stdout: "ignore",
    stderr: "inherit",
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const [, maxRssKb] = (await readFile(out, "utf8")).trim().split(/\s+/).slice(-2).map(Number);
  await rm(out, { force: true });
  return { wallSeconds: wall, peakRssMB: (maxRssKb ?? 0) / 1024 };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`).join("\n");
}
