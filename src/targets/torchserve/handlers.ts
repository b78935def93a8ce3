import { basename } from "node:path";

/**
 * Handler names the worker resolves from ts/torch_handler without a file in the
 * archive. torch-model-archiver's list misses densenet_handler, text_handler and
 * vision_handler (it then tries to copy a file of that name); mserve accepts them.
 */
export const BUILTIN_HANDLERS = [
  "base_handler",
  "text_classifier",
  "image_classifier",
  "object_detector",
  "image_segmenter",
  "dali_image_classifier",
  "vllm_handler",
  "trt_llm_handler",
  "densenet_handler",
  "text_handler",
  "vision_handler",
] as const;

export type HandlerSpec =
  | { kind: "builtin"; manifestValue: string }
  | { kind: "file"; manifestValue: string; file: string; entryPoint?: string };

export function isBuiltinHandler(value: string): boolean {
  return (BUILTIN_HANDLERS as readonly string[]).includes(value);
}

/**
 * Reads a --handler value the way the worker will resolve it (model_loader.py):
 * `name` (built-in), `path/file.py`, `path/file` (.py added), or either with a
 * `:function` suffix. Unlike upstream, `file.py:func` copies `file.py`.
 * The manifest keeps the basename of the value, suffix included, as upstream does.
 */
export function parseHandler(value: string, runtime: string): HandlerSpec {
  if (isBuiltinHandler(value)) return { kind: "builtin", manifestValue: value };
  const colon = value.lastIndexOf(":");
  const hasEntryPoint = colon > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(colon + 1));
  let file = hasEntryPoint ? value.slice(0, colon) : value;
  if (runtime === "LSP") {
    if (!/\.(so|dylib)$/.test(file)) file += process.platform === "darwin" ? ".dylib" : ".so";
  } else if (!file.endsWith(".py")) {
    file += ".py";
  }
  return {
    kind: "file",
    manifestValue: basename(value),
    file,
    ...(hasEntryPoint ? { entryPoint: value.slice(colon + 1) } : {}),
  };
}
