import { opt } from "./options.js";

/** The zip-bomb bound of archives from elsewhere, for every command that reads one (unpack, validate). */
export const compressionRatioOptions = {
  maxCompressionRatio: opt.number(
    "--max-compression-ratio <n>",
    "archives: largest uncompressed:compressed ratio of one entry over --ratio-min-bytes (default 100; 0 turns it off)",
    -1,
  ),
  ratioMinBytes: opt.int(
    "--ratio-min-bytes <n>",
    "archives: entries up to this size are not ratio-checked (default 1048576)",
    0,
  ),
};
