import { invalidInput, type MserveError } from "../errors.js";

/**
 * The compression-ratio bound on archive entries (zip bombs): an entry that
 * inflates more than `maxCompressionRatio` times its compressed size is
 * refused, once it is larger than `ratioMinBytes` (small, very compressible
 * files such as a JSON of zeros are normal). 100:1 above 1 MiB is the common
 * choice (OWASP's zip-bomb guidance; Apache Commons Compress and POI use the
 * same idea); model weights compress 1.1–1.5:1, text 3–10:1, and a file of
 * zeros ~1000:1.
 */
export interface RatioLimit {
  /** Largest uncompressed/compressed ratio allowed for one entry; 0 or Infinity turns the check off. */
  maxCompressionRatio?: number;
  /** Entries no larger than this (uncompressed) are not checked. */
  ratioMinBytes?: number;
}

export const DEFAULT_MAX_COMPRESSION_RATIO = 100;
export const DEFAULT_RATIO_MIN_BYTES = 1 << 20;

export interface ResolvedRatio {
  max: number;
  min: number;
}

/** Defaults filled in; undefined when the check is off. */
export function resolveRatio(limit: RatioLimit | undefined): ResolvedRatio | undefined {
  const max = limit?.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO;
  if (!(max > 0) || max === Number.POSITIVE_INFINITY) return undefined;
  return { max, min: limit?.ratioMinBytes ?? DEFAULT_RATIO_MIN_BYTES };
}

export const tooCompressed = (
  archive: string,
  name: string,
  ratio: number,
  limit: ResolvedRatio,
): MserveError =>
  invalidInput(
    `unsafe entry ${JSON.stringify(name)} in ${archive}: it inflates ${ratio >= 10_000 ? "over 10000" : Math.round(ratio)}:1, more than the limit of ${limit.max}:1 (a zip bomb?)`,
    "Raise the limit with --max-compression-ratio if you trust this archive.",
  );

/** A zip entry, by the sizes its central directory declares (yauzl then holds the data to them). */
export function checkDeclaredRatio(
  archive: string,
  entry: { name: string; size: number; compressedSize: number },
  limit: ResolvedRatio | undefined,
): void {
  if (!limit || entry.size <= limit.min) return;
  const ratio = entry.size / Math.max(entry.compressedSize, 1);
  if (ratio > limit.max) throw tooCompressed(archive, entry.name, ratio, limit);
}

/**
 * A tar.gz entry, while it streams: the bytes it has produced against the
 * compressed bytes gunzip consumed since it began (gunzip.bytesWritten counts
 * input as the engine takes it, output chunk by output chunk). Up to `buffered`
 * bytes of the entry may already sit in stream buffers when it begins (their
 * compressed bytes counted before the start), so they are left out of the
 * produced count: the estimate never overstates the ratio, and a 1000:1
 * entry is still stopped within a few MiB.
 */
export function streamingRatio(
  archive: string,
  name: string,
  limit: ResolvedRatio | undefined,
  compressedSoFar: () => number,
  buffered: number,
) {
  const start = compressedSoFar();
  let produced = 0;
  return (bytes: number) => {
    produced += bytes;
    if (!limit || produced <= limit.min || produced <= buffered) return;
    const ratio = (produced - buffered) / Math.max(compressedSoFar() - start, 1);
    if (ratio > limit.max) throw tooCompressed(archive, name, ratio, limit);
  };
}
