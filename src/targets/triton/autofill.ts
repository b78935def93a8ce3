import type { ModelConfig } from "./config.js";

/** The first subfolder of a model folder (in byte order, as core's std::set lists it) and its entries. */
export interface FirstVersion {
  /** Entry name → whether it is a folder. */
  entries: Map<string, boolean>;
}

export interface BackendFields {
  backend: string;
  platform: string;
  defaultModelFilename: string;
  /** Where the backend came from: the config, a file in the first version folder, or the model's name. */
  source: "config" | "files" | "name" | "none";
}

/**
 * Core's AutoCompleteBackendFields (core src/model_config_utils.cc), which runs
 * whether or not auto-complete is disabled: fills backend, platform and
 * default_model_filename from the config, else from the files in the first
 * version folder (TensorFlow, TensorRT, ONNX, OpenVINO, PyTorch, Python, in that
 * order), else from a model name of the form `model.<backend>`.
 * Without a listing (a bare config file) only the config is used.
 */
export function autofillBackendFields(
  config: ModelConfig,
  modelName: string,
  first?: FirstVersion,
): BackendFields {
  let backend = config.backend ?? "";
  let platform = config.platform ?? "";
  let file = config.default_model_filename ?? "";
  const given = Boolean(backend || platform || file);
  const has = (name: string, dir?: boolean) =>
    first?.entries.has(name) === true && (dir === undefined || first.entries.get(name) === dir);
  const fromFiles = () => !given && first !== undefined;
  let source: BackendFields["source"] = given ? "config" : "none";
  const done = () => ({ backend, platform, defaultModelFilename: file, source });

  // TensorFlow: only the platform decides.
  if (!platform && (!backend || backend === "tensorflow")) {
    if (file === "model.savedmodel") platform = "tensorflow_savedmodel";
    else if (file === "model.graphdef") platform = "tensorflow_graphdef";
    else if (!file && first) {
      if (has("model.savedmodel", true)) platform = "tensorflow_savedmodel";
      if (has("model.graphdef", false)) platform = "tensorflow_graphdef";
      if (platform && !given) source = "files";
    }
  }
  if (platform === "tensorflow_savedmodel" || platform === "tensorflow_graphdef") {
    backend ||= "tensorflow";
    file ||= platform === "tensorflow_savedmodel" ? "model.savedmodel" : "model.graphdef";
    return done();
  }
  const step = (name: string, platformOf: string | undefined, fileName: string, isDir?: boolean) => {
    if (!backend) {
      if ((platformOf && platform === platformOf) || file === fileName) backend = name;
      else if (!platform && !file && first && has(fileName, isDir)) {
        backend = name;
        if (fromFiles()) source = "files";
      }
    }
    return backend === name;
  };
  if (step("tensorrt", "tensorrt_plan", "model.plan", false)) {
    platform ||= "tensorrt_plan";
    file ||= "model.plan";
    return done();
  }
  // An ONNX model may be a file or a folder (external data).
  if (step("onnxruntime", "onnxruntime_onnx", "model.onnx")) {
    platform ||= "onnxruntime_onnx";
    file ||= "model.onnx";
    return done();
  }
  if (step("openvino", undefined, "model.xml")) {
    file ||= "model.xml";
    return done();
  }
  if (step("pytorch", "pytorch_libtorch", "model.pt", false)) {
    platform ||= "pytorch_libtorch";
    if (config.runtime !== "model.py") file ||= "model.pt";
    return done();
  }
  if (step("python", undefined, "model.py")) {
    file ||= "model.py";
    return done();
  }
  // Custom backend, only when the config names nothing: `model.identity` → backend "identity".
  if (!backend && !platform && !file) {
    const dot = modelName.indexOf(".");
    if (dot >= 0) {
      backend = modelName.slice(dot + 1);
      file = `model.${backend}`;
      source = "name";
    }
  }
  return done();
}
