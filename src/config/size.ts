import { usageError } from "../errors.js";

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** A size flag ("20GiB", "500MB", "1024") in bytes; decimal and binary units as written. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = match ? UNITS[(match[2] ?? "").toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw usageError(`invalid size "${text}"`, "Use a number with an optional unit, e.g. 500MB or 20GiB.");
  }
  return Math.floor(Number(match[1]) * factor);
}
