import { usageError } from "../errors.js";

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  "": 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A duration flag ("90s", "2m", "500ms", "1.5h"; a bare number is seconds, as in kubectl --timeout) in ms. */
export function parseDuration(text: string, flag = "--timeout"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = match ? UNITS[(match[2] ?? "").toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw usageError(
      `invalid duration for ${flag}: "${text}"`,
      "Use e.g. 30s, 2m, 500ms or a number of seconds.",
    );
  }
  return Math.round(Number(match[1]) * factor);
}
