import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractArchive } from "../../../src/archive/extract.js";
import { listTgz } from "../../../src/archive/tgz-reader.js";
import { validateArtifact } from "../../../src/targets/torchserve/read-artifact.js";
import { makeTgz, makeZip, zerosTgz, zerosZip } from "../../helpers/make-archives.js";

/**
 * The compression-ratio bound (100:1 above 1 MiB by default): bombs proven on
 * small entries with the streaming check, and on generated "1 GiB of zeros"
 * archives that cost ~1 MiB to build, never inflated past a few MiB.
 */
const LIMITS = { maxEntries: 100, maxTotalBytes: 8 * 2 ** 30 };
const MIB = 1 << 20;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mserve-ratio-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const write = async (name: string, bytes: Buffer) => {
  await writeFile(join(dir, name), bytes);
  return join(dir, name);
};
const zipOf = (data: Buffer) => makeZip([{ name: "weights.bin", method: 8, data }]);
const tgzOf = (data: Buffer) => makeTgz([{ name: "weights.bin", data }]);
// Text that deflate squeezes ~5–10:1 (numbers and words vary), like vocabularies and JSON.
const text = Buffer.from(
  Array.from({ length: 120_000 }, (_, i) => `{"token": "w${(i * 7919) % 100_003}", "id": ${i}}\n`).join(""),
);

describe.each([
  ["zip", zipOf],
  ["tgz", tgzOf],
] as const)("%s entries", (kind, build) => {
  it("refuses 4 MiB of zeros (~1000:1) by default and writes nothing", async () => {
    const archive = await write(`zeros.${kind}`, await build(Buffer.alloc(4 * MIB)));
    await expect(extractArchive(archive, join(dir, "out"), LIMITS)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/"weights\.bin" .* inflates \d+:1, more than the limit of 100:1/),
      hint: expect.stringMatching(/--max-compression-ratio/),
    });
    await expect(stat(join(dir, "out"))).rejects.toThrow();
    expect(await readdir(dir)).toEqual([`zeros.${kind}`]);
  });

  it("takes it when the limit is raised, turned off, or the entry is below the minimum size", async () => {
    const archive = await write(`zeros.${kind}`, await build(Buffer.alloc(4 * MIB)));
    for (const [i, options] of [
      { maxCompressionRatio: 5000 },
      { maxCompressionRatio: Number.POSITIVE_INFINITY },
      { ratioMinBytes: 8 * MIB },
    ].entries()) {
      const out = join(dir, `out${i}`);
      await extractArchive(archive, out, { ...LIMITS, ...options });
      expect((await stat(join(out, "weights.bin"))).size).toBe(4 * MIB);
    }
  });

  it("extracts weights-like (random) and text entries under the default bound", async () => {
    const weights = randomBytes(4 * MIB);
    for (const [name, data] of [
      ["weights", weights],
      ["text", text],
    ] as const) {
      const out = join(dir, name);
      await extractArchive(await write(`${name}.${kind}`, await build(data)), out, LIMITS);
      // Buffer.equals: vitest's deep equality walks 4 MiB byte by byte for seconds.
      expect((await readFile(join(out, "weights.bin"))).equals(data)).toBe(true);
    }
  });
});

describe("a 1 GiB zero-filled entry", () => {
  it("is refused by extraction, from the zip's declared sizes or after a few MiB of a tar.gz", async () => {
    const zip = await write("bomb.mar", zerosZip("weights.bin", 1024));
    const tgz = await write("bomb.tar.gz", zerosTgz("model/weights.bin", 1024));
    for (const archive of [zip, tgz]) {
      const started = Date.now();
      await expect(extractArchive(archive, join(dir, "out"), LIMITS)).rejects.toThrow(/inflates \d+:1/);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    await expect(stat(join(dir, "out"))).rejects.toThrow();
  });

  it("is refused by validate's readers too, and only listing it (inspect) stays possible", async () => {
    const zip = await write("bomb.mar", zerosZip("weights.bin", 1024));
    const tgz = await write("bomb.tar.gz", zerosTgz("model/weights.bin", 1024));
    for (const archive of [zip, tgz])
      await expect(validateArtifact(archive, "/")).rejects.toMatchObject({ code: "INVALID_INPUT" });
    const raised = await validateArtifact(zip, "/", { maxCompressionRatio: 2000 });
    expect(raised.valid).toBe(false); // no manifest: judged on its content, not refused as a bomb
    expect((await listTgz(await write("small.tgz", zerosTgz("a.bin", 3)))).map((e) => e.size)).toEqual([
      3 * MIB,
    ]);
  });
});
