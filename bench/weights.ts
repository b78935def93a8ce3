import { open, stat } from "node:fs/promises";

const BLOCK_FLOATS = 4 * 1024 * 1024; // 16 MiB of float32

/** Normally distributed floats (Box–Muller) from a seeded xorshift generator: reproducible runs. */
function gaussianBlock(seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(BLOCK_FLOATS);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    out[i] = 0.02 * r * Math.cos(t);
    out[i + 1] = 0.02 * r * Math.sin(t);
  }
  return out;
}

/**
 * Writes `bytes` of float32 "weights" like a trained layer's (N(0, 0.02)).
 * One unique 16 MiB block is rescaled per block, so every byte differs while
 * generation stays fast; deflate's 32 KiB window cannot see the relation.
 * Reuses an existing file of the right size.
 */
export async function ensureWeightsFile(path: string, bytes: number): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === bytes) return;
  const base = gaussianBlock(20261125);
  const block = new Float32Array(BLOCK_FLOATS);
  const fh = await open(path, "w");
  try {
    let written = 0;
    for (let n = 0; written < bytes; n++) {
      const scale = 1 + ((n * 2654435761) % 1000) / 10000;
      for (let i = 0; i < block.length; i++) block[i] = (base[i] as number) * scale;
      const buf = Buffer.from(block.buffer, 0, Math.min(block.byteLength, bytes - written));
      await fh.write(buf, 0, buf.length, written);
      written += buf.length;
    }
  } finally {
    await fh.close();
  }
}
