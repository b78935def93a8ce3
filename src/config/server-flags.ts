import { z } from "zod";
import { usageError } from "../errors.js";
import { parseDuration } from "./duration.js";

/** Flags that pick the server a command talks to (see targets/torchserve/connect.ts). */
export const serverFlagsSchema = z.object({
  server: z.string().optional(),
  url: z.string().optional(),
  inferenceUrl: z.string().optional(),
  keyFile: z.string().optional(),
  modelStore: z.string().optional(),
  timeout: z.string().optional(),
  debug: z.boolean().optional(),
});

const count = (flag: string, min: number) =>
  z
    .string()
    .optional()
    .transform((text) => {
      if (text === undefined) return undefined;
      const n = Number(text);
      if (!Number.isInteger(n) || n < min)
        throw usageError(`${flag} must be a whole number ≥ ${min}, got "${text}"`);
      return n;
    });

/** Worker and batching flags shared by deploy and register. */
export const workerFlagsSchema = z.object({
  minWorkers: count("--min-workers", 0),
  maxWorkers: count("--max-workers", 0),
  batchSize: count("--batch-size", 1),
  maxBatchDelay: count("--max-batch-delay", 0),
  responseTimeout: count("--response-timeout", 1),
});

export const wholeNumber = count;

/** `--timeout` in ms with a per-command default. */
export function timeoutMs(text: string | undefined, fallback: string): number {
  return parseDuration(text ?? fallback);
}
