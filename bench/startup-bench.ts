import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { median, table } from "./measure.js";

interface Case {
  label: string;
  args: string[];
  /** Its wall time may be at most this many times that of `node -e 0`. */
  limit?: number;
}

/**
 * What a command costs before it does anything useful, against a bare
 * `node -e 0`, interleaved so drift hits every case alike: --version, --help,
 * commands that fail before the network (no server running), and a predict
 * against a server that answers at once (bench/trivial-server.mjs).
 */
export async function benchStartup(
  node: string,
  mserveBin: string,
  runs = 25,
): Promise<{ text: string; ok: boolean }> {
  const home = await mkdtemp(join(tmpdir(), "mserve-startup-"));
  const server = execa(node, [new URL("./trivial-server.mjs", import.meta.url).pathname], { buffer: false });
  const port = await new Promise<string>((resolve) =>
    server.stdout?.once("data", (d) => resolve(String(d).trim())),
  );
  const url = `http://127.0.0.1:${port}`;
  const cases: Case[] = [
    { label: "node -e 0", args: ["-e", "0"] },
    { label: "mserve --version", args: [mserveBin, "--version"], limit: 1.5 },
    { label: "mserve --help", args: [mserveBin, "--help"], limit: 1.5 },
    {
      label: "mserve predict (no server: exit 6)",
      args: [mserveBin, "predict", "intent", "--data", "hi"],
      limit: 1.5,
    },
    { label: "mserve models (no server: exit 6)", args: [mserveBin, "models"], limit: 1.5 },
    { label: "mserve deploy x.mar (no server: exit 6)", args: [mserveBin, "deploy", "x.mar"], limit: 1.5 },
    { label: "mserve bench intent (no server: exit 6)", args: [mserveBin, "bench", "intent"], limit: 1.5 },
    { label: "mserve validate x.mar (no file: exit 3)", args: [mserveBin, "validate", "x.mar"], limit: 1.5 },
    { label: "mserve package (no flags: exit 2)", args: [mserveBin, "package"], limit: 1.5 },
    {
      label: "mserve registry show intent (exit 4)",
      args: [mserveBin, "registry", "show", "intent"],
      limit: 1.5,
    },
    {
      label: "mserve predict (answered at once)",
      args: [
        mserveBin,
        "predict",
        "intent",
        "--data",
        "hi",
        "--target",
        "torchserve",
        "--url",
        url,
        "--inference-url",
        url,
      ],
      limit: 2.5,
    },
  ];
  const times = cases.map(() => [] as number[]);
  const time = async (args: string[]) => {
    const t = process.hrtime.bigint();
    await execa(node, args, { reject: false, cwd: home, env: { MSERVE_HOME: home, NO_COLOR: "1" } });
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  try {
    for (const c of cases) await time(c.args);
    for (let i = 0; i < runs; i++) for (const [j, c] of cases.entries()) times[j]?.push(await time(c.args));
  } finally {
    server.kill();
    await rm(home, { recursive: true, force: true });
  }
  const bare = median(times[0] ?? []);
  let ok = true;
  const rows = cases.map((c, j) => {
    const ms = median(times[j] ?? []);
    const ratio = ms / bare;
    if (c.limit !== undefined && ratio > c.limit) ok = false;
    return [
      c.label,
      ms.toFixed(1),
      ratio.toFixed(2),
      c.limit === undefined ? "" : `≤ ${c.limit} ${ratio <= c.limit ? "met" : "NOT met"}`,
    ];
  });
  const text = [
    "### start-up",
    "",
    table(["command", `median of ${runs} (ms)`, "× node -e 0", "target"], rows),
  ].join("\n");
  return { text, ok };
}
