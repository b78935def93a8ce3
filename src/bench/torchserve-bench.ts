import { predictionPath } from "../targets/torchserve/client.js";
import type { Connection } from "../targets/torchserve/connect.js";
import type { ModelRef } from "../targets/torchserve/model-ref.js";
import { createHttpSender, type RequestBody } from "./http-sender.js";
import { type BenchPlan, type BenchResult, runBench } from "./run.js";

export interface ModelBenchResult extends BenchResult {
  model: string;
  /** The version that answered (the default one when none was named). */
  version?: string;
  server: string;
}

/**
 * Benchmarks a TorchServe model: checks it exists first (an unknown model would
 * otherwise be thousands of 404s), then drives the levels over one connection
 * per concurrent request, with the inference key when token auth is on.
 */
export async function benchTorchServeModel(
  connection: Pick<Connection, "client" | "tokens" | "label">,
  ref: ModelRef,
  bodies: RequestBody[],
  plan: BenchPlan,
  options: { requestTimeoutMs: number; signal?: AbortSignal; onLevelStart?: (concurrency: number) => void },
): Promise<ModelBenchResult> {
  const { client, tokens, label } = connection;
  const [model] = await client.describe(ref.name, ref.version);
  const sender = createHttpSender({
    origin: new URL(client.endpoint.inference).origin,
    path: predictionPath(ref.name, ref.version),
    bodies,
    headers: await tokens.headers("inference"),
    connections: Math.max(...plan.concurrency),
    timeoutMs: options.requestTimeoutMs,
  });
  try {
    const bench = await runBench(sender.send, plan, {
      signal: options.signal,
      onLevelStart: options.onLevelStart,
    });
    return { ...bench, model: ref.name, version: model?.modelVersion, server: label };
  } finally {
    await sender.close();
  }
}
