import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { zerosTgz, zerosZip } from "../test/helpers/make-archives.js";
import { table } from "./measure.js";
import { ensureWeightsFile } from "./weights.js";

const GiB = 1024 ** 3;

const sha256 = async (path: string) => {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
};

/**
 * The compression-ratio bound at full size: a real 1 GiB weights archive
 * (float32 N(0, 0.02), deflated by `mserve package`) unpacks under the
 * default 100:1 bound, byte for byte; 1 GiB of zeros (~1000:1, zip and
 * tar.gz) is refused with exit 3 before anything is written.
 */
export async function benchUnpack(tools: { node: string; mserveBin: string }, workDir: string) {
  const dir = join(workDir, "unpack");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const weights = join(dir, "weights.bin");
  await ensureWeightsFile(weights, GiB);
  await writeFile(join(dir, "handler.py"), "def handle(data, context):\n    return data\n");
  const mserve = (args: string[]) =>
    execa(tools.node, [tools.mserveBin, ...args], { cwd: dir, reject: false });
  const common = [
    "--model-name",
    "weights",
    "-v",
    "1",
    "--serialized-file",
    "weights.bin",
    "--handler",
    "handler.py",
  ];
  const rows: (string | number)[][] = [];
  let same = true;
  // The default format stores float weights (deflate saves ~7%); tgz gzips everything.
  for (const [format, file] of [
    ["default", "weights.mar"],
    ["tgz", "weights.tar.gz"],
  ] as const) {
    const packed = await mserve([
      "package",
      ...common,
      "--archive-format",
      format,
      "--export-path",
      ".",
      "-f",
    ]);
    if (packed.exitCode !== 0) throw new Error(`package --archive-format ${format} failed: ${packed.stderr}`);
    const archiveBytes = (await stat(join(dir, file))).size;
    const t = process.hrtime.bigint();
    const unpacked = await mserve(["unpack", file, "-o", "out", "-f"]);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    // A tgz keeps the model folder TorchServe expects (weights/weights.bin).
    const found =
      unpacked.exitCode === 0
        ? (await readdir(join(dir, "out"), { recursive: true })).find((p) => p.endsWith("weights.bin"))
        : undefined;
    const ok = found !== undefined && (await sha256(join(dir, "out", found))) === (await sha256(weights));
    same &&= ok;
    rows.push([
      `${file} (1 GiB float32 N(0, 0.02), ${format}, ${(GiB / archiveBytes).toFixed(2)}:1 overall)`,
      "unpack",
      unpacked.exitCode ?? "?",
      ms.toFixed(0),
    ]);
    await rm(join(dir, "out"), { recursive: true, force: true });
  }
  let t: bigint;
  let refused = true;
  for (const [name, bytes] of [
    ["zeros.mar", zerosZip("weights.bin", 1024)],
    ["zeros.tar.gz", zerosTgz("m/weights.bin", 1024)],
  ] as const) {
    await writeFile(join(dir, name), bytes);
    for (const verb of ["unpack", "validate"]) {
      t = process.hrtime.bigint();
      const r = await mserve(verb === "unpack" ? ["unpack", name, "-o", `out-${name}`] : ["validate", name]);
      rows.push([
        `${name} (1 GiB of zeros, ${bytes.length} bytes)`,
        verb,
        r.exitCode ?? "?",
        (Number(process.hrtime.bigint() - t) / 1e6).toFixed(0),
      ]);
      refused &&= r.exitCode === 3;
    }
  }
  const ok = same && refused;
  const text = [
    "### Unpack: the compression-ratio bound at 1 GiB",
    "",
    table(["archive", "command", "exit", "ms"], rows),
    "",
    `real weights unpack byte for byte: ${same ? "yes" : "NO"}; zero bombs refused with exit 3: ${refused ? "yes" : "NO"}`,
  ].join("\n");
  return { text, ok };
}
