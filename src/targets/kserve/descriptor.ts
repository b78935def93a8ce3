import { opt } from "../../cli/options.js";
import type { TargetDescriptor } from "../target.js";

const int = (flags: string, description: string, min: number, max?: number) =>
  opt.int(flags, description, min, max);

/** The InferenceService flags package and deploy share. */
const manifest = {
  storageUri: opt.string(
    "--storage-uri <uri>",
    "kserve: where the packaged model lives (s3://, gs://, pvc://, https://)",
  ),
  source: opt.choice(
    "--source <kind>",
    "kserve: what was packaged (default torchserve); sklearn, xgboost, lightgbm: served by KServe's MLServer runtime over v2",
    ["torchserve", "triton", "tfserving", "sklearn", "xgboost", "lightgbm"],
  ),
  minReplicas: int("--min-replicas <n>", "kserve: minimum replicas (0 scales to zero)", 0),
  maxReplicas: int("--max-replicas <n>", "kserve: maximum replicas", 1),
  scaleTarget: int("--scale-target <n>", "kserve: autoscaling target per replica", 1),
  scaleMetric: opt.choice("--scale-metric <metric>", "kserve: autoscaling metric", [
    "concurrency",
    "rps",
    "cpu",
    "memory",
  ]),
  canaryTrafficPercent: int(
    "--canary-traffic-percent <n>",
    "kserve: share of traffic for this revision (canary release)",
    0,
    100,
  ),
  cpu: opt.string("--cpu <quantity>", "kserve: CPU request and limit, e.g. 1 or 500m"),
  memory: opt.string("--memory <quantity>", "kserve: memory request and limit, e.g. 2Gi"),
} as const;

const protocol = opt.choice(
  "--protocol <version>",
  "kserve: v1 (:predict) or v2 (/infer); default v1, v2 for triton, sklearn, xgboost, lightgbm",
  ["v1", "v2"],
);
const namespace = opt.string("--namespace <ns>", "kserve: Kubernetes namespace");

export const kserve = {
  id: "kserve",
  title: "KServe",
  help: { url: "a KServe ingress" },
  capabilities: ["package", "validate", "deploy", "models", "predict", "bench", "release", "doctor"],
  options: {
    connect: {
      host: opt.string(
        "--host <host>",
        "kserve: Host header for the ingress, e.g. intent.default.example.com",
      ),
      protocol,
      namespace,
      kubeContext: opt.string("--kube-context <name>", "kserve: kubectl context"),
    },
    package: {
      ...manifest,
      archive: opt.string(
        "--archive <mar>",
        "kserve: also write the TorchServe storage folder (config.properties + model-store) for this .mar",
      ),
      protocol,
      namespace,
    },
    deploy: manifest,
  },
  unavailable: {
    init: "KServe serves what another target packaged: `mserve init` (TorchServe) or `mserve init --target mlserver`, then `mserve package --target kserve`.",
    serve:
      "KServe runs in a Kubernetes cluster: `mserve deploy --target kserve` applies an InferenceService.",
    register: "KServe loads what an InferenceService names: use `mserve deploy --target kserve`.",
    scale:
      "Set replicas on the InferenceService: `mserve deploy --target kserve --min-replicas N --max-replicas M`.",
    "set-default":
      "Route traffic between revisions with `mserve deploy --target kserve --canary-traffic-percent N`.",
    unregister: "Delete the InferenceService with `kubectl delete inferenceservice NAME`.",
  },
  runtime: {
    packages: ["kserve==0.21.0", "torch==2.13.0"],
    requirementsFile: "requirements-kserve.txt",
    bins: [],
    python: { min: [3, 10], max: [3, 12] },
    next: "write a kserve.Model and start it with $MSERVE_HOME/runtimes/kserve/bin/python model.py",
  },
  projectSection: () => import("./project-section.js").then((m) => m.kserveSection),
  load: () => import("./adapter.js").then((m) => m.kserveTarget),
} as const satisfies TargetDescriptor;
