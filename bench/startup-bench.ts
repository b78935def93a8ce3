import { execa } from "execa";
import { median, table } from "./measure.js";

/** `mserve --version` against a bare `node -e 0`, interleaved so drift hits both alike. */
export async function benchStartup(
  node: string,
  mserveBin: string,
  runs = 25,
): Promise<{ text: string; ok: boolean }> {
  const bare: number[] = [];
  const ours: number[] = [];
  const time = async (args: string[]) => {
    const t = process.hrtime.bigint();
    await execa(node, args);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  await time(["-e", "0"]);
  await time([mserveBin, "--version"]);
  for (let i = 0; i < runs; i++) {
    bare.push(await time(["-e", "0"]));
    ours.push(await time([mserveBin, "--version"]));
  }
  const ratio = median(ours) / median(bare);
  const text = [
    "### start-up",
    "",
    table(
      ["command", `median of ${runs} (ms)`],
      [
        ["node -e 0", median(bare).toFixed(1)],
        ["mserve --version", median(ours).toFixed(1)],
      ],
    ),
    "",
    `ratio ${ratio.toFixed(2)} (target ≤ 1.5): ${ratio <= 1.5 ? "met" : "NOT met"}`,
  ].join("\n");
  return { text, ok: ratio <= 1.5 };
}
