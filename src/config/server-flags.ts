import { parseDuration } from "./duration.js";

/** `--timeout` in ms with a per-command default. */
export function timeoutMs(text: string | undefined, fallback: string): number {
  return parseDuration(text ?? fallback);
}
