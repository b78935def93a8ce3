/** Triton's backends, their platform names and default model files (reference/triton.md §1.10, §3.2). */
export const BACKENDS: Record<string, { platforms: string[]; defaultFile?: string }> = {
  tensorrt: { platforms: ["tensorrt_plan"], defaultFile: "model.plan" },
  onnxruntime: { platforms: ["onnxruntime_onnx"], defaultFile: "model.onnx" },
  pytorch: { platforms: ["pytorch_libtorch", "torch_aoti"], defaultFile: "model.pt" },
  tensorflow: {
    platforms: ["tensorflow_savedmodel", "tensorflow_graphdef"],
    defaultFile: "model.savedmodel",
  },
  openvino: { platforms: [], defaultFile: "model.xml" },
  python: { platforms: [], defaultFile: "model.py" },
  dali: { platforms: [], defaultFile: "model.dali" },
};

export const PLATFORM_FILES: Record<string, string> = {
  tensorrt_plan: "model.plan",
  onnxruntime_onnx: "model.onnx",
  pytorch_libtorch: "model.pt",
  torch_aoti: "model.pt2",
  tensorflow_savedmodel: "model.savedmodel",
  tensorflow_graphdef: "model.graphdef",
};

/** Datatypes a backend cannot take (model_configuration.md "Datatypes"). */
export const UNSUPPORTED_TYPES: Record<string, string[]> = {
  onnxruntime: ["TYPE_BF16"],
  pytorch: ["TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_FP16", "TYPE_STRING", "TYPE_BF16"],
  tensorrt: ["TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT16", "TYPE_FP64", "TYPE_STRING"],
};

/** Folders in a model directory that are never versions. */
export const NON_VERSION_FOLDERS = new Set(["warmup", "initial_state", "configs"]);

/** TYPE_FP32 → FP32 and TYPE_STRING → BYTES, the datatype strings of the v2 protocol. */
export const protocolDatatype = (type: string) =>
  type === "TYPE_STRING" ? "BYTES" : type.replace(/^TYPE_/, "");
