import { execa } from "execa";
import { median, table } from "./measure.js";

/**
 * Client overhead of `mserve bench`: against a server that answers instantly,
 * whatever limits throughput is the client. autocannon (npm) is the baseline,
 * at the same concurrency and duration, interleaved in one run.
 */
interface Tools {
  node: string;
  mserveBin: string;
  root: string;
}

/** `modelUrl`: what its describe answer says the model was registered from (an exact release checks it). */
export async function startTrivialServer(tools: Tools, delayMs: number, modelUrl?: string) {
  const child = execa(
    tools.node,
    [`${tools.root}/bench/trivial-server.mjs`, String(delayMs), ...(modelUrl ? [modelUrl] : [])],
    { buffer: false },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    child.once("error", reject);
  });
  return { port, stop: () => child.kill("SIGTERM") };
}

interface Sample {
  rps: number;
  p50: number;
}

async function compare(tools: Tools, delayMs: number, concurrency: number, seconds: number, rounds: number) {
  const server = await startTrivialServer(tools, delayMs);
  const url = `http://127.0.0.1:${server.port}`;
  const body = "set a timer for nine minutes";
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const a = await execa(tools.node, [
        `${tools.root}/node_modules/autocannon/autocannon.js`,
        ...["-c", String(concurrency), "-d", String(seconds), "-m", "POST", "-b", body],
        ...["-H", "content-type=text/plain", "-j", `${url}/predictions/intent`],
      ]);
      const report = JSON.parse(a.stdout) as { requests: { total: number }; latency: { p50: number } };
      theirs.push({ rps: report.requests.total / seconds, p50: report.latency.p50 });
      const m = await execa(
        tools.node,
        [
          tools.mserveBin,
          ...["bench", "intent", "--data", body, "--url", url, "--inference-url", url],
          ...["-c", String(concurrency), "--duration", `${seconds}s`, "--warmup", "0s", "-o", "json"],
        ],
        { env: { ...process.env, CI: "1" } },
      );
      const level = (JSON.parse(m.stdout) as { levels: { throughput: number; latency: { p50: number } }[] })
        .levels[0];
      ours.push({ rps: level?.throughput ?? 0, p50: level?.latency.p50 ?? 0 });
    }
  } finally {
    server.stop();
  }
  const med = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
  return {
    ours: { rps: med(ours, "rps"), p50: med(ours, "p50") },
    theirs: { rps: med(theirs, "rps"), p50: med(theirs, "p50") },
  };
}

/**
 * Throughput is compared against a server that answers at once (the client is
 * then the bottleneck); p50 against one that answers after 5 ms, because
 * autocannon reports latency in whole milliseconds.
 */
export async function benchOverhead(
  tools: Tools,
  { concurrency = 8, seconds = 10, rounds = 3 } = {},
): Promise<{ text: string; ok: boolean }> {
  const instant = await compare(tools, 0, concurrency, seconds, rounds);
  const delayed = await compare(tools, 5, concurrency, seconds, rounds);
  const rpsRatio = instant.ours.rps / instant.theirs.rps;
  const p50Ratio = delayed.ours.p50 / delayed.theirs.p50;
  const ok = rpsRatio >= 0.9 && Math.abs(p50Ratio - 1) <= 0.1;
  return {
    text: [
      `### bench client overhead (local server, concurrency ${concurrency}, ${seconds} s per run, median of ${rounds})`,
      "",
      table(
        ["client", "req/s, instant answers", "p50 (ms), answers after 5 ms"],
        [
          ["autocannon 8", instant.theirs.rps.toFixed(0), delayed.theirs.p50.toFixed(3)],
          ["mserve bench", instant.ours.rps.toFixed(0), delayed.ours.p50.toFixed(3)],
        ],
      ),
      "",
      `throughput ratio ${rpsRatio.toFixed(2)} (target ≥ 0.90), p50 ratio ${p50Ratio.toFixed(2)} (target 0.90–1.10): ${ok ? "met" : "NOT met"}`,
    ].join("\n"),
    ok,
  };
}
