import { z } from "zod";

/** One line of the prediction log (`predictions-YYYY-MM-DD.jsonl`). */
export const predictionSchema = z.object({
  requestId: z.string(),
  groupId: z.string().optional(),
  at: z.string(),
  modelId: z.string().optional(),
  name: z.string(),
  version: z.string().optional(),
  alias: z.string().optional(),
  server: z.string(),
  /** The kind of server (targets/table.ts); absent in lines written before mserve knew several. */
  target: z.string().optional(),
  latencyMs: z.number(),
  status: z.enum(["ok", "error"]),
  httpStatus: z.number().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  inputSha256: z.string(),
  output: z.unknown().optional(),
});

export const feedbackSchema = z.object({
  requestId: z.string(),
  at: z.string(),
  by: z.string(),
  label: z.string(),
  comment: z.string().optional(),
});
