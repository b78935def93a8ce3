import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { median, table } from "./measure.js";

/**
 * `mserve bench` against NVIDIA's perf_analyzer (its TorchServe mode) on the real
 * TorchServe with the fixture model: same concurrency, same server, interleaved.
 * perf_analyzer decides its own window (5 s windows until 3 agree); mserve runs 15 s.
 */
interface Tools {
  node: string;
  mserveBin: string;
  root: string;
}

const TEXT = "set a timer for nine minutes";

export async function benchPerfAnalyzer(
  tools: Tools,
  { levels = [1, 2, 8, 16], rounds = 2 } = {},
): Promise<{ text: string; ok: boolean }> {
  let binary: string;
  try {
    binary =
      (await execa("bash", [join(tools.root, "scripts", "setup-perf-analyzer.sh")])).stdout
        .trim()
        .split("\n")
        .pop() ?? "";
  } catch (error) {
    return {
      text: `### perf_analyzer comparison\n\nskipped: perf_analyzer could not be set up (${(error as Error).message.split("\n")[0]})`,
      ok: true,
    };
  }
  const libs = join(dirname(dirname(binary)), "lib");
  const work = await mkdtemp(join(tmpdir(), "mserve-bench-pa-"));
  const env = {
    ...process.env,
    MSERVE_HOME: join(work, "home"),
    MSERVE_TORCHSERVE_BIN: join(tools.root, ".venv", "bin", "torchserve"),
    CI: "1",
  };
  const mserve = (args: string[]) => execa(tools.node, [tools.mserveBin, ...args], { env, cwd: work });
  await writeFile(join(work, "input.txt"), TEXT);
  await writeFile(
    join(work, "input.json"),
    JSON.stringify({ data: [{ TORCHSERVE_INPUT: [join(work, "input.txt")] }] }),
  );
  const rows: string[][] = [];
  let ok = true;
  try {
    await mserve([
      "package",
      "--config",
      join(tools.root, "fixtures", "intent", "mserve.yaml"),
      "--export-path",
      work,
      "-q",
    ]);
    const served = JSON.parse(
      (await mserve(["serve", "--name", "pa", "--ports", "auto", "--disable-token-auth", "-o", "json"]))
        .stdout,
    );
    await mserve(["deploy", join(work, "intent.mar"), "-q"]);
    const host = new URL(served.urls.inference).host;
    for (const c of levels) {
      const theirs: { rps: number; p50: number }[] = [];
      const ours: { rps: number; p50: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        const csv = join(work, `pa-${c}-${r}.csv`);
        await execa(
          binary,
          [
            ...["-m", "intent", "--service-kind=torchserve", "-i", "http", "-u", host],
            ...["--input-data", join(work, "input.json"), "--concurrency-range", `${c}:${c}`],
            // Batching makes per-window throughput wobble more than the default 10%: allow 20%, and more windows.
            ...[
              "--measurement-interval",
              "5000",
              "--stability-percentage",
              "20",
              "--max-trials",
              "20",
              "-f",
              csv,
            ],
          ],
          // It prints a warning per request on stderr in TorchServe mode ("Timer not set correctly"); the CSV has the figures.
          { env: { ...process.env, LD_LIBRARY_PATH: libs }, stdout: "ignore", stderr: "ignore" },
        );
        const [, line] = (await readFile(csv, "utf8")).trim().split("\n");
        const cols = (line ?? "").split(",").map(Number);
        theirs.push({ rps: cols[1] ?? 0, p50: (cols[4] ?? 0) / 1000 });
        const m = await mserve([
          "bench",
          "intent",
          "--data",
          TEXT,
          "-c",
          String(c),
          "--duration",
          "15s",
          "--warmup",
          "2s",
          "-o",
          "json",
        ]);
        const level = JSON.parse(m.stdout).levels[0];
        ours.push({ rps: level.throughput, p50: level.latency.p50 });
      }
      const rps = [median(theirs.map((t) => t.rps)), median(ours.map((o) => o.rps))] as [number, number];
      const p50 = [median(theirs.map((t) => t.p50)), median(ours.map((o) => o.p50))] as [number, number];
      const rpsRatio = rps[1] / rps[0];
      const p50Ratio = p50[1] / p50[0];
      ok &&= Math.abs(rpsRatio - 1) <= 0.1 && Math.abs(p50Ratio - 1) <= 0.1;
      rows.push([
        String(c),
        rps[0].toFixed(1),
        rps[1].toFixed(1),
        rpsRatio.toFixed(2),
        p50[0].toFixed(2),
        p50[1].toFixed(2),
        p50Ratio.toFixed(2),
      ]);
    }
  } finally {
    await mserve(["stop", "--all"]).catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
  return {
    text: [
      `### mserve bench vs perf_analyzer 2.41.0 (real TorchServe 0.12.0, fixture model, median of ${rounds})`,
      "",
      table(
        [
          "concurrency",
          "perf_analyzer req/s",
          "mserve req/s",
          "ratio",
          "perf_analyzer p50 ms",
          "mserve p50 ms",
          "ratio",
        ],
        rows,
      ),
      "",
      `targets (throughput and p50 within 10%): ${ok ? "met" : "NOT met at every level"}`,
    ].join("\n"),
    ok,
  };
}
