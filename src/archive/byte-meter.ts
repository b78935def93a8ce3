import { Transform } from "node:stream";
import { tooManyBytes } from "./extract-plan.js";

/**
 * Counts the bytes really written across all entries of one extraction.
 * Declared sizes are checked up front, but a header can lie (a zip bomb, or an
 * archive that changed between the listing and the writing pass): this is the
 * bound that does not trust any header.
 */
export function byteMeter(archive: string, limit: number, onBytes?: (bytes: number) => void) {
  let total = 0;
  return {
    total: () => total,
    stream: () =>
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          total += chunk.length;
          if (total > limit) return callback(tooManyBytes(archive, "inflates to", limit));
          onBytes?.(chunk.length);
          callback(null, chunk);
        },
      }),
  };
}

export type ByteMeter = ReturnType<typeof byteMeter>;
