import { stringify } from "yaml";
import { invalidInput, usageError } from "../../errors.js";
import { validateInferenceServiceObject } from "./validate.js";

/**
 * The model formats mserve builds, as KServe names them (the runtime is chosen by the cluster):
 * sklearn, xgboost and lightgbm with protocolVersion v2 are served by kserve-mlserver.
 */
export const KSERVE_FORMATS = {
  torchserve: "pytorch",
  triton: "triton",
  tfserving: "tensorflow",
  sklearn: "sklearn",
  xgboost: "xgboost",
  lightgbm: "lightgbm",
} as const;
export type KserveSource = keyof typeof KSERVE_FORMATS;

export interface ManifestOptions {
  name: string;
  namespace?: string;
  source: KserveSource;
  storageUri: string;
  protocol: "v1" | "v2";
  minReplicas?: number;
  maxReplicas?: number;
  scaleTarget?: number;
  scaleMetric?: "concurrency" | "rps" | "cpu" | "memory";
  canaryTrafficPercent?: number;
  cpu?: string;
  memory?: string;
}

/**
 * An InferenceService (serving.kserve.io/v1beta1) for a model mserve packaged:
 * a TorchServe model store (config/config.properties + model-store/*.mar), a
 * Triton repository, a TF Serving base folder, or a scikit-learn / XGBoost /
 * LightGBM model file or folder (what `package --target mlserver` wrote), at storageUri.
 */
export function buildInferenceService(o: ManifestOptions): Record<string, unknown> {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(o.name)) {
    throw usageError(
      `"${o.name}" is not a valid Kubernetes name`,
      "Use lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit.",
    );
  }
  if (!/^(s3|gs|https?|pvc|hdfs|webhdfs|oci|hf):\/\/.+|^azure:\/\/.+/.test(o.storageUri)) {
    throw usageError(
      `--storage-uri "${o.storageUri}" is not a URI KServe can fetch`,
      "e.g. s3://bucket/models/intent, gs://…, pvc://claim/path or https://….",
    );
  }
  const resources =
    o.cpu || o.memory
      ? {
          requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) },
          limits: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) },
        }
      : undefined;
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) },
    spec: {
      predictor: {
        ...(o.minReplicas !== undefined ? { minReplicas: o.minReplicas } : {}),
        ...(o.maxReplicas !== undefined ? { maxReplicas: o.maxReplicas } : {}),
        ...(o.scaleTarget !== undefined ? { scaleTarget: o.scaleTarget } : {}),
        ...(o.scaleMetric ? { scaleMetric: o.scaleMetric } : {}),
        ...(o.canaryTrafficPercent !== undefined ? { canaryTrafficPercent: o.canaryTrafficPercent } : {}),
        model: {
          modelFormat: { name: KSERVE_FORMATS[o.source] },
          protocolVersion: o.protocol,
          storageUri: o.storageUri,
          ...(resources ? { resources } : {}),
        },
      },
    },
  };
}

/**
 * Checks a manifest mserve built (or was given) against KServe's full CRD
 * schema with strict field validation (validate.ts); throws INVALID_INPUT
 * with every problem, as `kubectl apply` would refuse it.
 */
export async function checkInferenceService(manifest: unknown): Promise<void> {
  const problems = (await validateInferenceServiceObject(manifest)).filter((d) => d.severity === "error");
  if (problems.length === 0) return;
  const [first, ...rest] = problems;
  throw invalidInput(
    `the InferenceService does not match KServe's schema: ${first?.message}`,
    rest.length > 0
      ? `${rest.length} more: ${rest
          .slice(0, 3)
          .map((d) => d.message)
          .join("; ")}`
      : (first?.hint ?? "See schemas/kserve/SOURCE.md for the schema's version."),
    { diagnostics: problems },
  );
}

export const manifestYaml = (manifest: unknown) => stringify(manifest);
