import { compressionRatioOptions } from "../../cli/archive-limits.js";
import { opt } from "../../cli/options.js";
import type { TargetDescriptor } from "../target.js";

const workers = {
  minWorkers: opt.int(
    "--min-workers <n>",
    "torchserve: workers to start and keep (default 1, or minWorkers from the model config)",
    0,
  ),
  maxWorkers: opt.int("--max-workers <n>", "torchserve: upper bound for workers (default: --min-workers)", 0),
  batchSize: opt.int("--batch-size <n>", "torchserve: requests batched per inference call", 1),
  maxBatchDelay: opt.int("--max-batch-delay <ms>", "torchserve: how long to wait to fill a batch", 0),
  responseTimeout: opt.int(
    "--response-timeout <s>",
    "torchserve: seconds a worker may take per request before it is restarted",
    1,
  ),
} as const;

export const torchserve = {
  id: "torchserve",
  title: "TorchServe",
  help: { ports: "inference,management,metrics[,grpc,grpc-mgmt]", url: "TorchServe management (:8081)" },
  capabilities: [
    "init",
    "package",
    "validate",
    "serve",
    "deploy",
    "models",
    "register",
    "scale",
    "set-default",
    "unregister",
    "predict",
    "bench",
    "release",
    "doctor",
  ],
  templates: { names: ["text-classifier", "image-classifier", "custom"], default: "text-classifier" },
  options: {
    connect: {
      inferenceUrl: opt.string(
        "--inference-url <url>",
        "torchserve: inference API of a --url server (default: --url with port - 1)",
      ),
      keyFile: opt.string(
        "--key-file <path>",
        "torchserve: key_file.json of a --url server with token auth on",
      ),
    },
    package: {
      serializedFile: opt.string(
        "--serialized-file <path>",
        "weights: TorchScript .pt, state_dict, .onnx, …",
      ),
      modelFile: opt.string("--model-file <path>", "Python file defining the model class (eager mode)"),
      handler: opt.string("--handler <handler>", "built-in handler name or path/to/handler.py[:function]"),
      extraFiles: opt.string("--extra-files <list>", "comma-separated files, folders or globs to add"),
      requirementsFile: opt.string("-r, --requirements-file <path>", "pip requirements for the model"),
      configFile: opt.string("-c, --config-file <path>", "TorchServe model-config.yaml"),
      runtime: opt.choice("--runtime <runtime>", "worker runtime", ["python", "python3", "LSP"]),
      archiveFormat: opt.choice("--archive-format <format>", "archive format", [
        "default",
        "zip-store",
        "tgz",
        "no-archive",
      ]),
      preservePaths: opt.flag(
        "--preserve-paths",
        "keep extra files' relative folders instead of flattening them",
      ),
    },
    validate: compressionRatioOptions,
    deploy: workers,
    register: workers,
    scale: {
      min: opt.int("--min <n>", "minimum workers", 0),
      max: opt.int("--max <n>", "maximum workers (default: --min)", 0),
      wait: opt.flag("--wait", "wait until --min workers are READY"),
    },
    unregister: {
      keepArchive: opt.flag(
        "--keep-archive",
        "torchserve: leave the archive mserve copied into the model store",
      ),
    },
    serve: {
      disableTokenAuth: opt.flag(
        "--disable-token-auth",
        "torchserve: turn token authorization off (on by default)",
      ),
    },
  },
  runtime: {
    packages: [
      "torch==2.13.0",
      "torchserve==0.12.0",
      "torch-model-archiver==0.12.0",
      "pyyaml==6.0.2",
      "psutil",
      "packaging",
    ],
    requirementsFile: "requirements-python.txt",
    bins: ["torchserve", "torch-model-archiver"],
    python: { min: [3, 10], max: [3, 13] },
    needs: ["java17"],
    next: "mserve serve",
  },
  projectSection: () => import("./project-section.js").then((m) => m.torchserveSection),
  load: () => import("./adapter.js").then((m) => m.torchserveTarget),
} as const satisfies TargetDescriptor;
