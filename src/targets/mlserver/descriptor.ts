import { opt } from "../../cli/options.js";
import type { TargetDescriptor } from "../target.js";

const repository = opt.string(
  "--repository <dir>",
  "mlserver: the model repository (package: default ./model_repository; deploy: needed with --url)",
);

/** MLServer (Seldon's v2 server): scikit-learn, XGBoost, LightGBM and custom Python models. */
export const mlserver = {
  id: "mlserver",
  title: "MLServer",
  help: { ports: "http,grpc,metrics", url: "MLServer HTTP (:8080)" },
  capabilities: [
    "init",
    "package",
    "validate",
    "serve",
    "deploy",
    "models",
    "unregister",
    "predict",
    "bench",
    "release",
    "doctor",
  ],
  templates: { names: ["custom", "sklearn"], default: "custom" },
  options: {
    connect: { repository },
    package: {
      repository,
      serializedFile: opt.string(
        "--serialized-file <path>",
        "mlserver: the model file (model.joblib, model.json, model.txt, …; custom models: optional)",
      ),
      modelFile: opt.string(
        "--model-file <path>",
        "mlserver: the custom model's Python file (an MLModel subclass)",
      ),
      implementation: opt.string(
        "--implementation <runtime>",
        "mlserver: sklearn, xgboost, lightgbm, or module.Class of a custom model (default: from the model file)",
      ),
    },
    validate: {
      server: opt.string(
        "--server <name>",
        "mlserver: check that the runtime is installed on this server (default: the mlserver serve would start)",
      ),
    },
    serve: {
      repository,
      parallelWorkers: opt.int(
        "--parallel-workers <n>",
        "mlserver: inference worker processes (default 1, MLServer's own; 0 runs inference in the server process)",
        0,
      ),
    },
  },
  unavailable: {
    register: "MLServer loads models from its repository: use `mserve deploy --target mlserver`.",
    scale:
      "MLServer sets workers for the whole server: `mserve serve --target mlserver --parallel-workers N`.",
    "set-default":
      "MLServer answers a bare name with the highest version it has loaded; address one with `mserve predict NAME:VERSION --target mlserver`.",
  },
  runtime: {
    packages: [
      "mlserver==1.7.1",
      "mlserver-sklearn==1.7.1",
      "mlserver-xgboost==1.7.1",
      "uvloop==0.21.0",
      "numpy==2.2.6",
      "pandas==2.2.3",
      "scikit-learn==1.6.1",
      "xgboost==3.0.2",
      "joblib==1.5.1",
    ],
    requirementsFile: "requirements-mlserver.txt",
    bins: ["mlserver"],
    python: { min: [3, 9], max: [3, 12] },
    next: "mserve serve --target mlserver",
  },
  projectSection: () => import("./project-section.js").then((m) => m.mlserverSection),
  load: () => import("./adapter.js").then((m) => m.mlserverTarget),
} as const satisfies TargetDescriptor;
