import { invalidInput } from "../errors.js";

/** torch-model-archiver's own rule for --model-name (model_packaging_utils.py). */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_\-.]*$/;
/** URL path safe: versions appear in /models/{name}/{version} and /predictions/{name}/{version}. */
export const VERSION_PATTERN = /^[A-Za-z0-9._~-]+$/;

export function checkModelName(name: string | undefined): string {
  if (!name) throw invalidInput("model name is missing", "Pass --model-name or set `name:` in mserve.yaml.");
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw invalidInput(
      `model name "${name}" is not allowed: it must match ${MODEL_NAME_PATTERN.source}`,
      "Start with a letter or digit; use only letters, digits, '_', '-' and '.'.",
    );
  }
  if (name.includes("..")) {
    throw invalidInput(
      `model name "${name}" contains "..", which TorchServe refuses in every model URL`,
      "Use a single '.' or another separator.",
    );
  }
  return name;
}

export function checkVersion(version: string | undefined): string {
  if (version === undefined || version.trim() === "") {
    throw invalidInput(
      "model version is missing or empty",
      "Pass -v/--version or set `version:` in mserve.yaml.",
    );
  }
  if (!VERSION_PATTERN.test(version) || version === "." || version.includes("..")) {
    throw invalidInput(
      `model version "${version}" is not URL-safe`,
      "It is used in /models/{name}/{version}: use letters, digits, '.', '_', '-' or '~' (e.g. 1.0, 3, 2026-11-25).",
    );
  }
  return version;
}
