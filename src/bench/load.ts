import { LatencyHistogram, type LatencySummary } from "./histogram.js";

/** How one request ended; `kind` groups failures for the report. */
export type Outcome = { ok: true } | { ok: false; kind: ErrorKind };
export type ErrorKind = "http-4xx" | "http-5xx" | "timeout" | "connection" | "auth" | "other";

/** Sends one request; never throws (failures are outcomes). */
export type Send = () => Promise<Outcome>;

export interface LevelOptions {
  /** Closed loop: requests in flight. Open loop: the most allowed in flight (requests queue beyond it). */
  concurrency: number;
  durationMs?: number;
  /** Stop after this many measured requests instead of after a duration. */
  requests?: number;
  warmupMs: number;
  /** Open loop: requests per second on a fixed schedule. */
  rate?: number;
  signal?: AbortSignal;
}

export interface LevelResult {
  concurrency: number;
  rate?: number;
  requests: number;
  ok: number;
  errors: Partial<Record<ErrorKind, number>>;
  durationMs: number;
  throughput: number;
  latency: LatencySummary;
  interrupted: boolean;
}

const now = () => performance.now();

/**
 * Closed loop: `concurrency` workers, each sending its next request when the
 * previous one answers. Latency is send → last byte of the answer.
 */
async function closedLoop(send: Send, options: LevelOptions, record: (ms: number, o: Outcome) => void) {
  const started = now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  let issued = 0;
  const limit = options.requests ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    while (!options.signal?.aborted && now() < deadline && issued < limit) {
      issued++;
      const t = now();
      const outcome = await send();
      record(now() - t, outcome);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return now() - started;
}

/**
 * Open loop: request i is due at start + i/rate. Latency is measured from when
 * it was due, not from when it could be sent, so a server that stalls is
 * charged for the requests queued behind the stall (coordinated omission).
 */
async function openLoop(
  send: Send,
  options: LevelOptions & { rate: number },
  record: (ms: number, o: Outcome) => void,
) {
  const started = now();
  const interval = 1000 / options.rate;
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  const limit = options.requests ?? Number.POSITIVE_INFINITY;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < limit && !options.signal?.aborted; i++) {
    const due = started + i * interval;
    if (due >= deadline) break;
    const wait = due - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    const p = send().then((outcome) => {
      record(now() - due, outcome);
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return now() - started;
}

/** One concurrency level: a warm-up whose figures are dropped, then the measured run. */
export async function runLevel(send: Send, options: LevelOptions): Promise<LevelResult> {
  if (options.warmupMs > 0 && !options.signal?.aborted) {
    const warm = { ...options, durationMs: options.warmupMs, requests: undefined };
    await (options.rate
      ? openLoop(send, { ...warm, rate: options.rate }, () => {})
      : closedLoop(send, warm, () => {}));
  }
  const histogram = new LatencyHistogram();
  const errors: Partial<Record<ErrorKind, number>> = {};
  let requests = 0;
  const record = (ms: number, outcome: Outcome) => {
    requests++;
    if (outcome.ok) histogram.recordMs(ms);
    else errors[outcome.kind] = (errors[outcome.kind] ?? 0) + 1;
  };
  const durationMs = options.rate
    ? await openLoop(send, { ...options, rate: options.rate }, record)
    : await closedLoop(send, options, record);
  return {
    concurrency: options.concurrency,
    ...(options.rate ? { rate: options.rate } : {}),
    requests,
    ok: histogram.count,
    errors,
    durationMs,
    throughput: durationMs > 0 ? (histogram.count * 1000) / durationMs : 0,
    latency: histogram.summary(),
    interrupted: Boolean(options.signal?.aborted),
  };
}
