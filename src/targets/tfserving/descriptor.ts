import { opt } from "../../cli/options.js";
import type { TargetDescriptor } from "../target.js";

const base = opt.string(
  "--base <dir>",
  "tfserving: the model base folder holding models.config (package/release: default ./models; deploy: needed with --url)",
);
const versionPolicy = opt.string(
  "--version-policy <policy>",
  "tfserving: latest, latest:N, all or specific:1,3",
);
const label = opt.list(
  "--label <name=version>",
  "tfserving: a version label (e.g. stable=2); repeat for more",
);

export const tfserving = {
  id: "tfserving",
  title: "TF Serving",
  help: { ports: "rest,grpc", url: "TF Serving REST (:8501)" },
  capabilities: ["package", "validate", "serve", "deploy", "models", "predict", "bench", "release", "doctor"],
  serverLabels: true,
  options: {
    connect: { base },
    package: {
      savedModel: opt.string("--saved-model <dir>", "tfserving: the SavedModel folder to place"),
      base,
      versionPolicy,
      label,
    },
    deploy: {
      modelVersion: opt.string("--model-version <n>", "tfserving: version folder (a positive whole number)"),
      versionPolicy,
      label,
    },
    serve: {
      base,
      configPoll: opt.int("--config-poll <seconds>", "tfserving: how often it re-reads models.config", 1),
    },
    release: { base },
  },
  unavailable: {
    init: "TF Serving serves SavedModels you export from TensorFlow: `mserve package --target tfserving --saved-model DIR`.",
    register: "TF Serving loads what models.config lists: use `mserve deploy --target tfserving`.",
    scale: "TF Serving has no per-model worker count.",
    "set-default":
      "TF Serving answers with the latest served version; use a label (`mserve release NAME V --as stable --target tfserving`).",
    unregister:
      "Remove the model from models.config (or its version folder); TF Serving unloads it on its next poll.",
  },
  projectSection: () => import("./project-section.js").then((m) => m.tfservingSection),
  load: () => import("./adapter.js").then((m) => m.tfservingTarget),
} as const satisfies TargetDescriptor;
