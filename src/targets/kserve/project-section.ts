import { z } from "zod";

const whole = (min: number, max?: number) => {
  const n = z.number().int().min(min);
  return max === undefined ? n : n.max(max);
};

/** `targets.kserve` in mserve.yaml: the InferenceService defaults, the same names as the flags. */
export const kserveSection = z.strictObject({
  "storage-uri": z.string().optional(),
  source: z.enum(["torchserve", "triton", "tfserving", "sklearn", "xgboost", "lightgbm"]).optional(),
  protocol: z.enum(["v1", "v2"]).optional(),
  namespace: z.string().optional(),
  "min-replicas": whole(0).optional(),
  "max-replicas": whole(1).optional(),
  "scale-target": whole(1).optional(),
  "scale-metric": z.enum(["concurrency", "rps", "cpu", "memory"]).optional(),
  "canary-traffic-percent": whole(0, 100).optional(),
  cpu: z.union([z.string(), z.number()]).transform(String).optional(),
  memory: z.string().optional(),
});
export type KserveSection = z.infer<typeof kserveSection>;
