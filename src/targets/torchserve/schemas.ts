import { z } from "zod";

/**
 * Response bodies of TorchServe 0.12.0's management and inference APIs, checked against
 * real recordings in test/fixtures/recorded/torchserve (scripts/record-torchserve.mjs).
 * Objects are loose: fields TorchServe adds (or mserve does not use) are kept, not rejected.
 */

/**
 * Every error (status >= 400): `type` is the Java exception's simple name, e.g.
 * ModelNotFoundException (404), ModelVersionNotFoundException (404), ConflictStatusException (409),
 * BadRequestException (400), InvalidKeyException (400: token missing, wrong or expired),
 * MethodNotAllowedException (405: also "model API disabled"), InvalidModelVersionException (403),
 * ServiceUnavailableException (503), ResourceNotFoundException (404: unknown path).
 */
export const errorBodySchema = z.looseObject({
  code: z.number().int(),
  type: z.string(),
  message: z.string(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * Register, scale, set-default, unregister and /ping answers: `{"status": "..."}`.
 * /ping: "Healthy" (200) or "Unhealthy" (500).
 */
export const statusBodySchema = z.looseObject({
  status: z.string(),
});
export type StatusBody = z.infer<typeof statusBodySchema>;

/** GET /models: default versions only, sorted by name; nextPageToken only when more remain. */
export const modelListSchema = z.looseObject({
  models: z.array(
    z.looseObject({
      modelName: z.string(),
      modelUrl: z.string(),
    }),
  ),
  /** An integer offset as a string: pass it back as `next_page_token`. */
  nextPageToken: z.string().optional(),
});
export type ModelList = z.infer<typeof modelListSchema>;

/**
 * One worker of a described model. A worker that is not loaded (starting, restarting, stopping)
 * reports status "UNLOADING" with pid -1 until its Python process exists; only "READY" serves.
 */
export const workerSchema = z.looseObject({
  /** The worker's port number as a string, e.g. "9000". */
  id: z.string(),
  /** yyyy-MM-dd'T'HH:mm:ss.SSS'Z' in the JVM's local time zone (the Z is literal). */
  startTime: z.string(),
  status: z.string(),
  memoryUsage: z.number(),
  pid: z.number().int(),
  gpu: z.boolean(),
  /** "N/A" on CPU. */
  gpuUsage: z.string(),
});
export type DescribedWorker = z.infer<typeof workerSchema>;

export const jobQueueStatusSchema = z.looseObject({
  remainingCapacity: z.number().int(),
  pendingRequests: z.number().int(),
});

/** One element of GET /models/{name}[/{version}|/all] (always a JSON array). */
export const describedModelSchema = z.looseObject({
  modelName: z.string(),
  modelVersion: z.string(),
  modelUrl: z.string(),
  runtime: z.string(),
  minWorkers: z.number().int(),
  maxWorkers: z.number().int(),
  batchSize: z.number().int(),
  maxBatchDelay: z.number().int(),
  /** Seconds. */
  responseTimeout: z.number().int(),
  /** Seconds. */
  startupTimeout: z.number().int().optional(),
  loadedAtStartup: z.boolean(),
  workers: z.array(workerSchema),
  jobQueueStatus: jobQueueStatusSchema.optional(),
});
export type DescribedModel = z.infer<typeof describedModelSchema>;

export const describeResponseSchema = z.array(describedModelSchema);
export type DescribeResponse = z.infer<typeof describeResponseSchema>;

/**
 * key_file.json, written (mode 0600, no trailing newline) into the working directory of the
 * TorchServe JVM, i.e. the cwd of `torchserve --start`. Keys are 8 characters of base64url.
 * "expiration time" is a java.time.Instant string with up to 9 fractional digits
 * (e.g. 2026-11-25T08:12:42.624663888Z); Date.parse reads it (to the millisecond).
 * The API key (for GET /token?type=management|inference on the management port) never expires.
 */
const expiringKeySchema = z.looseObject({
  key: z.string().min(1),
  "expiration time": z.string().refine((text) => !Number.isNaN(Date.parse(text)), {
    message: "expected an ISO-8601 instant",
  }),
});
export const keyFileSchema = z.looseObject({
  management: expiringKeySchema,
  inference: expiringKeySchema,
  API: z.looseObject({ key: z.string().min(1) }),
});
export type TorchServeKeyFile = z.infer<typeof keyFileSchema>;

/** Parses an error body, or returns undefined when the text is not one (e.g. a handler's own reply). */
export function parseErrorBody(text: string): ErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = errorBodySchema.safeParse(parsed);
  return result.success ? result.data : undefined;
}
