import { opt } from "../../cli/options.js";
import type { TargetDescriptor } from "../target.js";

const repository = opt.string(
  "--repository <dir>",
  "triton: the model repository (package: default ./model_repository; deploy: needed with --url)",
);

const pythonWrapper = opt.flag(
  "--python-wrapper",
  "triton: serve a TorchScript or ONNX model through a generated Python-backend model.py (torch / onnxruntime), for servers without the native backend",
);

export const triton = {
  id: "triton",
  title: "Triton",
  help: { ports: "http,grpc,metrics", url: "Triton HTTP (:8000)" },
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
  templates: { names: ["python", "pytorch", "onnx", "ensemble"], default: "python" },
  options: {
    connect: { repository },
    package: {
      repository,
      tritonBackend: opt.choice(
        "--triton-backend <backend>",
        "triton: backend (default python, or targets.triton.backend)",
        ["python", "pytorch", "onnxruntime", "tensorflow", "ensemble"],
      ),
      pythonWrapper,
      maxBatchSize: opt.int(
        "--max-batch-size <n>",
        "triton: max_batch_size (default 8; 0 turns batching off)",
        0,
      ),
    },
    deploy: {
      pythonWrapper,
      smoke: opt.string(
        "--smoke <text>",
        "triton: after READY, send this as the model's single input; a failure unloads it",
      ),
      gpus: opt.string(
        "--gpus <list>",
        "triton: instance_group KIND_GPU on these GPUs (all, or nvidia-smi indexes such as 0,1), the count in config.pbtxt per GPU; none: KIND_CPU",
      ),
    },
    predict: {
      binary: opt.flag(
        "--binary",
        "triton: send inputs and receive outputs with the binary tensor extension (large tensors; FP16/BF16 always)",
      ),
      save: opt.string("--save <dir>", "triton: also write each output tensor to DIR/NAME.npy"),
    },
    unregister: {
      purge: opt.flag(
        "--purge",
        "triton: also remove the model's folder (or NAME:VERSION's version folder) from the server's repository",
      ),
    },
    serve: { repository },
    validate: {
      strictModelConfig: opt.flag(
        "--strict-model-config",
        "triton: as tritonserver --disable-auto-complete-config: what a backend would fill in must be written",
      ),
    },
  },
  unavailable: {
    register: "Triton loads models from its repository: use `mserve deploy --target triton`.",
    scale:
      "Triton sets instance counts in config.pbtxt (instance_group { count: N }): change it and deploy again.",
    "set-default":
      "Triton serves versions by its version_policy; address one with `mserve predict NAME:VERSION --target triton`.",
  },
  runtime: {
    packages: ["nvidia-pytriton==0.7.0", "torch==2.13.0"],
    requirementsFile: "requirements-triton.txt",
    bins: [],
    python: { min: [3, 10], max: [3, 12] },
    platforms: ["linux-x64", "linux-arm64"],
    next: "mserve serve --target triton",
  },
  projectSection: () => import("./project-section.js").then((m) => m.tritonSection),
  load: () => import("./adapter.js").then((m) => m.tritonTarget),
} as const satisfies TargetDescriptor;
