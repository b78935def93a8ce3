import { type LevelResult, runLevel, type Send } from "./load.js";

export interface BenchPlan {
  concurrency: number[];
  durationMs?: number;
  requests?: number;
  warmupMs: number;
  rate?: number;
}

export interface BenchResult {
  levels: LevelResult[];
  interrupted: boolean;
}

/** Runs the levels one after another; Ctrl-C ends the current level and keeps what was measured. */
export async function runBench(
  send: Send,
  plan: BenchPlan,
  options: { signal?: AbortSignal; onLevelStart?: (concurrency: number) => void } = {},
): Promise<BenchResult> {
  const levels: LevelResult[] = [];
  for (const concurrency of plan.concurrency) {
    if (options.signal?.aborted) break;
    options.onLevelStart?.(concurrency);
    const level = await runLevel(send, {
      concurrency,
      durationMs: plan.durationMs,
      requests: plan.requests,
      warmupMs: plan.warmupMs,
      rate: plan.rate,
      signal: options.signal,
    });
    if (level.requests > 0) levels.push(level);
  }
  return { levels, interrupted: Boolean(options.signal?.aborted) };
}
