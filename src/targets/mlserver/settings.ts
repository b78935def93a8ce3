import { extname } from "node:path";

/**
 * MLServer's runtimes mserve packages for: the implementation class written to
 * model-settings.json, the Python package that must be installed on the server,
 * the model files each loads (what its load() reads: joblib.load,
 * XGBModel.load_model, lightgbm.Booster(model_file=…)), and the names it looks
 * for when parameters.uri is a folder (mlserver_*'s WELLKNOWN_MODEL_FILENAMES, 1.7.1).
 */
export const RUNTIMES = {
  sklearn: {
    implementation: "mlserver_sklearn.SKLearnModel",
    module: "mlserver_sklearn",
    // .skops is recognised so that validate can say why it does not load (joblib.load cannot read it).
    extensions: [".joblib", ".pkl", ".pickle", ".skops"],
    wellKnown: ["model.joblib", "model.pickle", "model.pkl"],
  },
  xgboost: {
    implementation: "mlserver_xgboost.XGBoostModel",
    module: "mlserver_xgboost",
    extensions: [".json", ".ubj", ".bst"],
    wellKnown: ["model.bst", "model.json", "model.ubj"],
  },
  lightgbm: {
    implementation: "mlserver_lightgbm.LightGBMModel",
    module: "mlserver_lightgbm",
    extensions: [".txt", ".bst"],
    wellKnown: ["model.bst"],
  },
} as const;
export type RuntimeId = keyof typeof RUNTIMES;

export const SETTINGS_FILE = "model-settings.json";

/** The subset of model-settings.json mserve reads and writes; the schema checks the rest. */
export interface ModelSettings {
  name?: string;
  implementation?: string;
  platform?: string;
  inputs?: Tensor[];
  outputs?: Tensor[];
  max_batch_size?: number;
  max_batch_time?: number;
  parameters?: {
    uri?: string;
    version?: string;
    content_type?: string;
    extra?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: { content_type?: string };
}

/** The runtime an implementation names: one of the built-in ones, or a custom `module.Class`. */
export function runtimeOf(
  implementation: string,
):
  | { kind: "builtin"; id: RuntimeId; module: string }
  | { kind: "custom"; module: string; className: string } {
  for (const [id, runtime] of Object.entries(RUNTIMES))
    if (runtime.implementation === implementation)
      return { kind: "builtin", id: id as RuntimeId, module: runtime.module };
  const dot = implementation.lastIndexOf(".");
  return {
    kind: "custom",
    module: dot > 0 ? implementation.slice(0, dot) : implementation,
    className: implementation.slice(dot + 1),
  };
}

/** `sklearn`, `xgboost`, `lightgbm` as written on the command line, else an import path kept as it is. */
export const implementationFor = (name: string): string =>
  name in RUNTIMES ? RUNTIMES[name as RuntimeId].implementation : name;

/** The built-in runtime that loads a model file, from its extension (.bst is XGBoost's unless told). */
export function runtimeForFile(file: string): RuntimeId | undefined {
  const ext = extname(file).toLowerCase();
  for (const [id, runtime] of Object.entries(RUNTIMES))
    if ((runtime.extensions as readonly string[]).includes(ext)) return id as RuntimeId;
  return undefined;
}

/** Whether a model file of this name is one the runtime can load. */
export const fileFitsRuntime = (file: string, id: RuntimeId) =>
  (RUNTIMES[id].extensions as readonly string[]).includes(extname(file).toLowerCase());
