import { opt } from "../../cli/options.js";
import type { TargetDescriptor } from "../target.js";

const repository = opt.string(
  "--repository <dir>",
  "triton: the model repository (package: default ./model_repository; deploy: needed with --url)",
);

export const triton = {
  id: "triton",
  title: "Triton",
  help: { ports: "http,grpc,metrics", url: "Triton HTTP (:8000)" },
  capabilities: [
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
  options: {
    connect: { repository },
    package: {
      repository,
      tritonBackend: opt.choice(
        "--triton-backend <backend>",
        "triton: backend (default python, or targets.triton.backend)",
        ["python", "pytorch", "onnxruntime", "tensorflow"],
      ),
      maxBatchSize: opt.int(
        "--max-batch-size <n>",
        "triton: max_batch_size (default 8; 0 turns batching off)",
        0,
      ),
    },
    deploy: {
      smoke: opt.string(
        "--smoke <text>",
        "triton: after READY, send this as the model's single input; a failure unloads it",
      ),
    },
    serve: { repository },
  },
  unavailable: {
    init: "Start from a TorchServe project (`mserve init`): its mserve.yaml packages for Triton too (`mserve package --target triton`).",
    register: "Triton loads models from its repository: use `mserve deploy --target triton`.",
    scale:
      "Triton sets instance counts in config.pbtxt (instance_group { count: N }): change it and deploy again.",
    "set-default":
      "Triton serves versions by its version_policy; address one with `mserve predict NAME:VERSION --target triton`.",
  },
  projectSection: () => import("./project-section.js").then((m) => m.tritonSection),
  load: () => import("./adapter.js").then((m) => m.tritonTarget),
} as const satisfies TargetDescriptor;
