import type { ModelConfig } from "./config.js";

/**
 * What each Triton backend reads and fills in, with the source each fact was
 * read from (triton-inference-server/* at r24.10, the Triton 2.51 that mserve's
 * differential tests load configs into, unless another ref is named).
 */
export interface BackendFacts {
  /** Platforms core accepts with this backend (core model_config_utils.cc GetBackendTypeFromPlatform). */
  platforms: string[];
  /**
   * Files the backend may load from each version folder; any one present is
   * enough. Undefined: the backend reads no file mserve can name.
   */
  modelFiles(config: ModelConfig): string[] | undefined;
  /**
   * With auto-complete on (Triton's default), whether the backend fills in
   * inputs, outputs and max_batch_size itself. "model.py": only when the
   * model's own model.py defines auto_complete_config.
   */
  autoCompletesIO: boolean | "model.py";
  /** Config datatypes the backend refuses at load. */
  unsupportedTypes?: string[];
}

const named = (config: ModelConfig, fallback: string) => [
  config.default_model_filename || fallback,
  // cc_model_filenames: the file for a given CUDA compute capability (TensorRT, ONNX Runtime).
  ...Object.values((config.cc_model_filenames as Record<string, string> | undefined) ?? {}),
];

export const BACKEND_FACTS: Record<string, BackendFacts> = {
  // tensorrt_backend src/tensorrt.cc: the engine file; AutoCompleteConfig reads I/O from it.
  // Types: server docs/user_guide/model_configuration.md "Datatypes" (no UINT16/32/64, INT16, FP64, STRING).
  tensorrt: {
    platforms: ["tensorrt_plan"],
    modelFiles: (c) => named(c, "model.plan"),
    autoCompletesIO: true,
    unsupportedTypes: ["TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT16", "TYPE_FP64", "TYPE_STRING"],
  },
  // onnxruntime_backend src/onnxruntime.cc: model.onnx, a file or a folder; AutoCompleteConfig fills I/O.
  onnxruntime: {
    platforms: ["onnxruntime_onnx"],
    modelFiles: (c) => named(c, "model.onnx"),
    autoCompletesIO: true,
    unsupportedTypes: ["TYPE_BF16"],
  },
  // pytorch_backend src/libtorch.cc: AutoCompleteConfig only logs "not supported for pytorch
  // backend"; ModelConfigDataTypeToTorchType (libtorch_utils.cc) has no UINT16/32/64 or BF16
  // (TYPE_STRING is taken as a 1-D list of strings). runtime "model.py" is the Python-based
  // PyTorch runtime, which reads no model.pt. torch_aoti (model.pt2) is core main's, 26.03+.
  pytorch: {
    platforms: ["pytorch_libtorch", "torch_aoti"],
    modelFiles: (c) =>
      c.runtime === "model.py"
        ? undefined
        : named(c, c.platform === "torch_aoti" ? "model.pt2" : "model.pt").slice(0, 1),
    autoCompletesIO: false,
    unsupportedTypes: ["TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_BF16"],
  },
  // core AutoCompleteBackendFields: model.savedmodel (a folder) or model.graphdef; tensorflow_backend auto-completes I/O.
  tensorflow: {
    platforms: ["tensorflow_savedmodel", "tensorflow_graphdef"],
    modelFiles: (c) =>
      named(c, c.platform === "tensorflow_graphdef" ? "model.graphdef" : "model.savedmodel").slice(0, 1),
    autoCompletesIO: true,
  },
  // core AutoCompleteBackendFields: model.xml; openvino_backend src/openvino.cc AutoCompleteConfig fills I/O.
  openvino: { platforms: [], modelFiles: (c) => named(c, "model.xml").slice(0, 1), autoCompletesIO: true },
  // python_backend src/pb_stub.cc ModelContext::Init: "Python model file not found" unless the
  // backend is a Python-based one (its model.py lives in the backend folder, see validate.ts).
  python: {
    platforms: [],
    modelFiles: (c) => [c.default_model_filename || "model.py"],
    autoCompletesIO: "model.py",
  },
  // dali_backend src/dali_model.h LoadModel: model.dali, else autoserialization of dali.py.
  dali: {
    platforms: [],
    modelFiles: (c) => [c.default_model_filename || "model.dali", "dali.py"],
    autoCompletesIO: true,
  },
  // fil_backend src/model.h model_file + serialization.h: the file depends on parameters.model_type.
  fil: {
    platforms: [],
    modelFiles: (c) => {
      if (c.default_model_filename) return [c.default_model_filename];
      const type = c.parameters?.model_type?.string_value ?? "xgboost";
      const file = FIL_FILES[type];
      return file ? [file] : undefined;
    },
    autoCompletesIO: true,
  },
};

const FIL_FILES: Record<string, string> = {
  xgboost: "xgboost.model",
  xgboost_json: "xgboost.json",
  xgboost_ubj: "xgboost.ubj",
  lightgbm: "model.txt",
  treelite_checkpoint: "checkpoint.tl",
};

/** core GetBackendTypeFromPlatform: the platforms that name a backend (ensemble names none). */
export const PLATFORM_BACKEND: Record<string, string> = {
  tensorrt_plan: "tensorrt",
  onnxruntime_onnx: "onnxruntime",
  pytorch_libtorch: "pytorch",
  torch_aoti: "pytorch",
  tensorflow_savedmodel: "tensorflow",
  tensorflow_graphdef: "tensorflow",
};

/** Backends core pairs with platforms; any other backend name accepts any platform. */
export const PAIRED_BACKENDS = new Set(["tensorrt", "onnxruntime", "pytorch", "tensorflow"]);
