import { usageError } from "../errors.js";
import { MODEL_NAME_PATTERN, VERSION_PATTERN } from "./names.js";

export interface ModelRef {
  name: string;
  version?: string;
}

/** `intent`, `intent:2`, or the pair `intent 2`; a version given twice must agree. */
export function parseModelRef(text: string, versionArg?: string): ModelRef {
  const colon = text.indexOf(":");
  const name = colon === -1 ? text : text.slice(0, colon);
  const inline = colon === -1 ? undefined : text.slice(colon + 1);
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid model name "${name}"`,
      "Names start with a letter or digit and use letters, digits, _, - and . (e.g. intent or intent:2).",
    );
  }
  if (inline !== undefined && inline === "") throw usageError(`missing version after "${name}:"`);
  if (inline !== undefined && versionArg !== undefined && inline !== versionArg) {
    throw usageError(`two different versions given: "${text}" and "${versionArg}"`);
  }
  const version = inline ?? versionArg;
  if (version !== undefined && !VERSION_PATTERN.test(version)) {
    throw usageError(
      `invalid version "${version}"`,
      "Versions are URL-safe: letters, digits, ., _, ~ and -.",
    );
  }
  return version === undefined ? { name } : { name, version };
}

export const formatRef = (ref: ModelRef) => (ref.version ? `${ref.name}:${ref.version}` : ref.name);
