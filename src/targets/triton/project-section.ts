import { z } from "zod";

const TYPES = [
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
  "STRING",
  "BF16",
];

/** TYPE_FP32, or the protocol's FP32 / BYTES (people copy those from metadata: reference/triton.md §8 #13). */
const dataType = z
  .string()
  .transform((t) => (t === "BYTES" ? "TYPE_STRING" : t.startsWith("TYPE_") ? t : `TYPE_${t}`))
  .refine((t) => TYPES.includes(t.slice(5)), {
    message: `a Triton type: ${TYPES.map((t) => `TYPE_${t}`).join(", ")} (or FP32, BYTES, …)`,
  });

export const tensorSchema = z.strictObject({
  name: z.string().min(1),
  "data-type": dataType,
  /** Without the batch dimension when max-batch-size > 0. */
  dims: z.array(z.number().int()),
});
export type TensorSpec = z.infer<typeof tensorSchema>;

/** A file of the version folder: a path, or a path and the name it takes there. */
const extraFile = z.union([z.string(), z.strictObject({ file: z.string(), as: z.string() })]);
export type ExtraFile = z.infer<typeof extraFile>;

/** One model of an ensemble: its tensors mapped to the ensemble's. */
const stepSchema = z.strictObject({
  model: z.string().min(1),
  /** -1 (the default): the latest version. */
  version: z.number().int().min(-1).optional(),
  /** The step model's input name → the ensemble tensor it reads. */
  inputs: z.record(z.string(), z.string()),
  /** The step model's output name → the ensemble tensor it writes. */
  outputs: z.record(z.string(), z.string()),
});
export type StepSpec = z.infer<typeof stepSchema>;

/** `targets.triton` in mserve.yaml. What is left out is derived from what the project holds. */
export const tritonSectionSchema = z.strictObject({
  /** Default: ensemble with steps, python with a model-file, else from serialized-file (.onnx, TorchScript). */
  backend: z.enum(["python", "pytorch", "onnxruntime", "tensorflow", "ensemble"]).optional(),
  /** Default 8 (ONNX: 8 when the graph's first dimension is variable, else 0; ensembles: their steps' smallest). */
  "max-batch-size": z.number().int().min(0).optional(),
  repository: z.string().optional(),
  /** The Python backend's model.py (class TritonPythonModel): your own file, under any name. */
  "model-file": z.string().optional(),
  /** TorchScript or ONNX served through a generated Python-backend model.py (torch / onnxruntime). */
  "python-wrapper": z.boolean().optional(),
  /** Files for the version folder, instead of the top-level extra-files. */
  "extra-files": z.array(extraFile).optional(),
  /** Noted in the model folder's README (Triton's Python backend installs nothing). */
  "requirements-file": z.string().optional(),
  /** config.pbtxt parameters, e.g. EXECUTION_ENV_PATH for the Python backend. */
  parameters: z.record(z.string(), z.string()).optional(),
  inputs: z.array(tensorSchema).optional(),
  outputs: z.array(tensorSchema).optional(),
  "instance-count": z.number().int().min(1).optional(),
  "instance-kind": z.enum(["KIND_CPU", "KIND_GPU", "KIND_AUTO"]).optional(),
  "dynamic-batching": z
    .union([
      z.boolean(),
      z.strictObject({
        "max-queue-delay-us": z.number().int().min(0).optional(),
        "preferred-batch-sizes": z.array(z.number().int().min(1)).optional(),
      }),
    ])
    .optional(),
  /** An ensemble: the models it runs, in order. */
  steps: z.array(stepSchema).min(1).optional(),
});
export type TritonSection = z.infer<typeof tritonSectionSchema>;

/** Unknown keys under `targets.triton` are errors with their line and column. */
export const tritonSection = tritonSectionSchema;
