import type { ErrorKind, LevelResult } from "./load.js";

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function errorCount(level: LevelResult): number {
  return Object.values(level.errors).reduce((n, v) => n + (v ?? 0), 0);
}

function errorText(level: LevelResult): string {
  const parts = (Object.entries(level.errors) as [ErrorKind, number][]).map(([k, n]) => `${k}:${n}`);
  return parts.length ? parts.join(" ") : "0";
}

/** Rows for formatTable: one per level. */
export function levelRows(levels: LevelResult[]): { header: string[]; rows: string[][] } {
  return {
    header: ["CONC", "REQUESTS", "ERRORS", "REQ/S", "P50 ms", "P90 ms", "P95 ms", "P99 ms", "MAX ms"],
    rows: levels.map((l) => [
      `${l.concurrency}${l.rate ? ` @${l.rate}/s` : ""}`,
      String(l.requests),
      errorText(l),
      l.throughput.toFixed(1),
      ms(l.latency.p50),
      ms(l.latency.p90),
      ms(l.latency.p95),
      ms(l.latency.p99),
      ms(l.latency.max),
    ]),
  };
}

const BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A bar of `value / max` of `width` cells, with eighth-cell resolution. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return "";
  const eighths = Math.round((value / max) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + (BLOCKS[eighths % 8] ?? "");
}

/**
 * Throughput and p99 against concurrency, side by side: the knee (throughput
 * flattening while p99 climbs) is easier to see than to read off a table.
 */
export function chart(levels: LevelResult[], width = 28): string {
  const maxTput = Math.max(...levels.map((l) => l.throughput));
  const maxP99 = Math.max(...levels.map((l) => l.latency.p99));
  const label = (l: LevelResult) => `${l.concurrency}${l.rate ? `@${l.rate}` : ""}`;
  const labelWidth = Math.max(4, ...levels.map((l) => label(l).length));
  const lines = [
    `${"conc".padStart(labelWidth)}  ${"throughput (req/s)".padEnd(width + 10)}  p99 latency (ms)`,
  ];
  for (const l of levels) {
    const t = `${bar(l.throughput, maxTput, width)} ${l.throughput.toFixed(0)}`;
    const p = `${bar(l.latency.p99, maxP99, width)} ${ms(l.latency.p99)}`;
    lines.push(`${label(l).padStart(labelWidth)}  ${t.padEnd(width + 10)}  ${p}`);
  }
  return lines.join("\n");
}

export function toCsv(levels: LevelResult[]): string {
  const header =
    "concurrency,rate,requests,ok,errors,throughput_rps,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,mean_ms,duration_ms";
  const rows = levels.map((l) =>
    [
      l.concurrency,
      l.rate ?? "",
      l.requests,
      l.ok,
      errorCount(l),
      l.throughput.toFixed(3),
      l.latency.p50,
      l.latency.p90,
      l.latency.p95,
      l.latency.p99,
      l.latency.max,
      l.latency.mean.toFixed(3),
      l.durationMs.toFixed(0),
    ].join(","),
  );
  return `${[header, ...rows].join("\n")}\n`;
}
