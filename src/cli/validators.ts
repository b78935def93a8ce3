import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fromFsError, invalidInput } from "../errors.js";
import { TARGETS } from "../targets/table.js";
import type { Validator } from "../targets/target.js";

/**
 * The validator of the artifact at `path`: every target is asked whether it
 * recognises it, catch-alls (TorchServe's archive reader) last.
 */
export async function validatorFor(path: string, cwd: string, target?: string): Promise<Validator> {
  // A path that is not there is answered before five adapters load to be asked about it.
  await stat(resolve(cwd, path)).catch((error: unknown) => {
    throw fromFsError(error, resolve(cwd, path), /\.(mar|zip|tar\.gz|tgz)$/i.test(path) ? "archive" : "path");
  });
  if (target) {
    const { descriptorOf, isTargetId } = await import("../targets/table.js");
    const { requireVerb } = await import("../targets/select.js");
    if (!isTargetId(target)) throw invalidInput(`unknown target "${target}"`);
    requireVerb({ id: target, descriptor: descriptorOf(target), reason: "--target" }, "validate");
    const { validator } = await descriptorOf(target).load();
    if (validator) return validator;
  }
  const all: Validator[] = [];
  for (const descriptor of Object.values(TARGETS)) {
    if (!(descriptor.capabilities as readonly string[]).includes("validate")) continue;
    const { validator } = await descriptor.load();
    if (validator) all.push(validator);
  }
  for (const validator of [...all.filter((v) => !v.catchAll), ...all.filter((v) => v.catchAll)])
    if (await validator.detect(path, cwd)) return validator;
  throw invalidInput(
    `${path} is not an artifact mserve knows`,
    "mserve validates .mar/.tar.gz archives, Triton, TF Serving and MLServer folders, and InferenceService YAML (a file or a folder of them).",
  );
}
