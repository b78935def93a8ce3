import { z } from "zod";

export const tensorSchema = z.strictObject({
  name: z.string(),
  "data-type": z.string().regex(/^TYPE_[A-Z0-9]+$/, "a Triton type such as TYPE_FP32"),
  dims: z.array(z.number().int()),
});

/** `targets.triton` in mserve.yaml. */
export const tritonSectionSchema = z.strictObject({
  backend: z.enum(["python", "pytorch", "onnxruntime", "tensorflow"]).default("python"),
  "max-batch-size": z.number().int().min(0).default(8),
  repository: z.string().optional(),
  template: z.string().default("text_classifier"),
  inputs: z.array(tensorSchema).optional(),
  outputs: z.array(tensorSchema).optional(),
  "instance-count": z.number().int().min(1).default(1),
  "dynamic-batching": z
    .union([z.boolean(), z.strictObject({ "max-queue-delay-us": z.number().int().min(0) })])
    .default(true),
});
export type TritonSection = z.infer<typeof tritonSectionSchema>;

/** Unknown keys under `targets.triton` are errors with their line and column. */
export const tritonSection = tritonSectionSchema;
