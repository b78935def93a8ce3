import type { EncodedRequest, PredictInput, Predictor } from "../targets/target.js";
import { createHttpSender } from "./http-sender.js";
import { type BenchPlan, type BenchResult, runBench } from "./run.js";

export interface ModelBenchResult extends BenchResult {
  model: string;
  /** The version that answered (the default one when none was named). */
  version?: string;
  server: string;
}

/**
 * Benchmarks a served model on any target that can predict: asks the server
 * about it first (an unknown model would otherwise be thousands of 404s),
 * encodes every input once the way predict would, then drives the levels over
 * one connection per concurrent request to the target's own inference route.
 */
export async function benchModel(
  predictor: Predictor,
  model: { name: string; server: string },
  inputs: PredictInput[],
  plan: BenchPlan,
  options: { requestTimeoutMs: number; signal?: AbortSignal; onLevelStart?: (concurrency: number) => void },
): Promise<ModelBenchResult> {
  const { version } = await predictor.describe();
  const bodies: EncodedRequest[] = [];
  for (const input of inputs) bodies.push(await predictor.encode(input));
  const endpoint = await predictor.endpoint();
  const sender = createHttpSender({
    origin: endpoint.origin,
    path: endpoint.path,
    bodies,
    headers: endpoint.headers,
    connections: Math.max(...plan.concurrency),
    timeoutMs: options.requestTimeoutMs,
  });
  try {
    const bench = await runBench(sender.send, plan, {
      signal: options.signal,
      onLevelStart: options.onLevelStart,
    });
    return { ...bench, model: model.name, ...(version ? { version } : {}), server: model.server };
  } finally {
    await sender.close();
  }
}
