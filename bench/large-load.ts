import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import { startTorchServe } from "../test/helpers/torchserve.js";

/**
 * Loads the large benchmark archive into a real TorchServe. Its handler hashes
 * the weights as TorchServe extracted them; a match with the source file's
 * sha256 shows the zip64 .mar was read back byte for byte (ZipInputStream
 * also checks every entry's CRC on the way).
 */
const HANDLER = `import hashlib, os

def handle(data, context):
    if data is None:
        return None
    model = context.manifest["model"]
    path = os.path.join(context.system_properties["model_dir"], model["serializedFile"])
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            digest.update(chunk)
    return [{"size": os.path.getsize(path), "sha256": digest.hexdigest()} for _ in data]
`;

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path, { highWaterMark: 1 << 22 }), hash);
  return hash.digest("hex");
}

export async function benchLargeLoad(
  workDir: string,
  weights: string,
  tools: { node: string; mserveBin: string },
): Promise<{ text: string; ok: boolean }> {
  const dir = join(workDir, "large-load");
  const store = join(dir, "store");
  await rm(dir, { recursive: true, force: true });
  await mkdir(store, { recursive: true });
  await writeFile(join(dir, "handler.py"), HANDLER);
  process.stderr.write("large load: packaging (default format)…\n");
  await execa(
    tools.node,
    [
      tools.mserveBin,
      "package",
      "--model-name",
      "large",
      "-v",
      "1",
      "--serialized-file",
      weights,
      "--handler",
      "handler.py",
      "--export-path",
      store,
      "-q",
    ],
    { cwd: dir },
  );
  const archiveBytes = (await stat(join(store, "large.mar"))).size;
  const expected = await sha256(weights);
  process.stderr.write("large load: starting TorchServe and registering…\n");
  const server = await startTorchServe({ modelStore: store });
  try {
    const started = Date.now();
    const registered = await server.register("large.mar", { response_timeout: 900 });
    const registerSeconds = (Date.now() - started) / 1000;
    if (registered.status !== 200)
      throw new Error(`register failed: ${registered.status} ${registered.body}\n${await server.logTail()}`);
    const reply = await server.predict("large", "hash please");
    const got = reply.json as { size: number; sha256: string };
    const ok = got?.sha256 === expected && got.size === (await stat(weights)).size;
    const text = [
      "### large archive in real TorchServe 0.12.0",
      "",
      `large.mar: ${archiveBytes} bytes (zip64, default format); register (extract + worker start): ${registerSeconds.toFixed(1)} s`,
      `weights as extracted by TorchServe: ${got?.size} bytes, sha256 ${got?.sha256}`,
      `source weights sha256 ${expected}: ${ok ? "identical" : "MISMATCH"}`,
    ].join("\n");
    return { text, ok };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
