import { z } from "zod";

const DATATYPES = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
] as const;

/** A tensor as model-settings.json describes it (MLServer's MetadataTensor), with an optional content type. */
export const mlserverTensor = z.strictObject({
  name: z.string(),
  datatype: z.enum(DATATYPES),
  shape: z.array(z.number().int()),
  "content-type": z.string().optional(),
});
export type MlserverTensor = z.infer<typeof mlserverTensor>;

/** `targets.mlserver` in mserve.yaml: what package writes into model-settings.json. */
export const mlserverSection = z.strictObject({
  /** sklearn, xgboost, lightgbm, or module.Class of a custom model. */
  implementation: z.string().optional(),
  repository: z.string().optional(),
  inputs: z.array(mlserverTensor).optional(),
  outputs: z.array(mlserverTensor).optional(),
  /** parameters.content_type: how MLServer decodes a request by default (np, pd, str, …). */
  "content-type": z.string().optional(),
  /** parameters.extra: runtime settings, e.g. {predict_fn: predict_proba} for scikit-learn. */
  extra: z.record(z.string(), z.unknown()).optional(),
  "max-batch-size": z.number().int().min(0).optional(),
  "max-batch-time": z.number().min(0).optional(),
});
export type MlserverSection = z.infer<typeof mlserverSection>;
