import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { execa } from "execa";
import { findFreePorts } from "../src/runtime/ports.js";
import { median, table } from "./measure.js";

/**
 * Lifecycle timings: serve until /ping is Healthy, deploy until the workers are
 * READY, first prediction. mserve against the hand path users follow today
 * (`torchserve --start` + a curl /ping loop, cp + curl POST /models, curl
 * /predictions), interleaved in one run on the same machine.
 */
interface Tools {
  node: string;
  mserveBin: string;
  torchserve: string;
  root: string;
}

const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SAMPLE = "set a timer for nine minutes";

async function mserveCycle(tools: Tools, archive: string): Promise<number[]> {
  const home = await mkdtemp(join(tmpdir(), "mserve-bench-home-"));
  const env = { ...process.env, MSERVE_HOME: home, MSERVE_TORCHSERVE_BIN: tools.torchserve, CI: "1" };
  const run = (args: string[]) => execa(tools.node, [tools.mserveBin, ...args], { env });
  try {
    let t = process.hrtime.bigint();
    await run(["serve", "--name", "bench", "--ports", "auto", "--disable-token-auth", "-q"]);
    const serve = seconds(t);
    t = process.hrtime.bigint();
    await run(["deploy", archive, "-q"]);
    const deploy = seconds(t);
    t = process.hrtime.bigint();
    await run(["predict", "intent", "--data", SAMPLE, "-q"]);
    const predict = seconds(t);
    return [serve, deploy, predict];
  } finally {
    await run(["stop", "--all", "-q"]).catch(() => {});
    await rm(home, { recursive: true, force: true });
  }
}

async function handCycle(tools: Tools, archive: string): Promise<number[]> {
  const work = await mkdtemp(join(tmpdir(), "mserve-bench-hand-"));
  const store = join(work, "store");
  await mkdir(join(work, "tmp"), { recursive: true });
  await mkdir(store);
  const [inf, mgmt, met, g1, g2] = await findFreePorts(5);
  await writeFile(
    join(work, "config.properties"),
    [
      `inference_address=http://127.0.0.1:${inf}`,
      `management_address=http://127.0.0.1:${mgmt}`,
      `metrics_address=http://127.0.0.1:${met}`,
      `grpc_inference_port=${g1}`,
      `grpc_management_port=${g2}`,
      "default_workers_per_model=1",
      "",
    ].join("\n"),
  );
  const env = {
    ...process.env,
    PATH: `${dirname(tools.torchserve)}${delimiter}${process.env.PATH}`,
    TEMP: join(work, "tmp"),
    LOG_LOCATION: join(work, "logs"),
    METRICS_LOCATION: join(work, "logs"),
  };
  const curl = (args: string[]) =>
    execa("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", ...args], { reject: false });
  const child = spawn(
    tools.torchserve,
    [
      "--start",
      "--foreground",
      "--ncs",
      "--disable-token-auth",
      "--enable-model-api",
      "--model-store",
      store,
      "--ts-config",
      join(work, "config.properties"),
    ],
    { cwd: work, env, detached: true, stdio: "ignore" },
  );
  try {
    let t = process.hrtime.bigint();
    while ((await curl([`http://127.0.0.1:${inf}/ping`])).stdout !== "200") await sleep(100);
    const serve = seconds(t);
    t = process.hrtime.bigint();
    await copyFile(archive, join(store, "intent.mar"));
    await curl([
      "-X",
      "POST",
      `http://127.0.0.1:${mgmt}/models?url=intent.mar&initial_workers=1&synchronous=true`,
    ]);
    const deploy = seconds(t);
    t = process.hrtime.bigint();
    await curl([
      "-X",
      "POST",
      "-H",
      "content-type: text/plain",
      "--data",
      SAMPLE,
      `http://127.0.0.1:${inf}/predictions/intent`,
    ]);
    const predict = seconds(t);
    return [serve, deploy, predict];
  } finally {
    try {
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {}
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(-(child.pid as number), 0);
        await sleep(100);
      } catch {
        break;
      }
    }
    await rm(work, { recursive: true, force: true });
  }
}

export async function benchLifecycle(
  tools: Tools,
  workDir: string,
  runs = 5,
): Promise<{ text: string; ok: boolean }> {
  const archiveDir = join(workDir, "lifecycle");
  await mkdir(archiveDir, { recursive: true });
  await execa(tools.node, [
    tools.mserveBin,
    "package",
    "--config",
    join(tools.root, "fixtures", "intent", "mserve.yaml"),
    "--export-path",
    archiveDir,
    "--force",
    "-q",
  ]);
  const archive = join(archiveDir, "intent.mar");
  const ours: number[][] = [];
  const hand: number[][] = [];
  for (let i = 0; i < runs; i++) {
    hand.push(await handCycle(tools, archive));
    ours.push(await mserveCycle(tools, archive));
  }
  const steps = ["serve until /ping Healthy", "deploy until READY", "first prediction"];
  const rows = steps.map((step, i) => {
    const h = median(hand.map((r) => r[i] as number));
    const o = median(ours.map((r) => r[i] as number));
    return [step, h.toFixed(2), o.toFixed(2), (o / h).toFixed(2)];
  });
  return {
    text: [
      "### lifecycle (real TorchServe 0.12.0, fixture intent model, token auth off)",
      "",
      "Hand path: `torchserve --start` + curl /ping every 100 ms; cp + curl POST /models?synchronous=true; curl /predictions.",
      "mserve: `serve`, `deploy`, `predict` (each a separate CLI process, so Node start-up is included).",
      "",
      table(["step", `hand, median of ${runs} (s)`, "mserve (s)", "ratio"], rows),
    ].join("\n"),
    ok: true,
  };
}
