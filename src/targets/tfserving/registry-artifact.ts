import { basename, dirname, join } from "node:path";
import { registryTarDate } from "../../archive/source-date.js";
import { writeVersionTar } from "../../archive/version-tar.js";
import { invalidInput, usageError } from "../../errors.js";
import { isFile } from "../../files.js";
import { checkModelName } from "../../model/names.js";
import { builtArtifact } from "../../registry/artifact-file.js";
import type { ArtifactHooks, RegistryArtifact } from "../target.js";
import { checkSavedModel } from "./saved-model.js";

const VERSION = /^[1-9][0-9]*$/;

/**
 * TF SavedModel versions in the registry, stored as a deterministic tar of the
 * folder. A folder placed as `<base>/<name>/<version>` names itself; an export
 * folder needs --name and --version (a positive whole number, as TF Serving wants).
 */
export const tfservingArtifacts: ArtifactHooks = {
  async detect({ path, isDirectory }) {
    if (!isDirectory) return false;
    return (await isFile(join(path, "saved_model.pb"))) || isFile(join(path, "saved_model.pbtxt"));
  },

  async describe(request): Promise<RegistryArtifact> {
    const placed = VERSION.test(basename(request.path));
    const version = request.version ?? (placed ? basename(request.path) : undefined);
    const name = request.name ?? (placed ? basename(dirname(request.path)) : undefined);
    if (!name || !version)
      throw usageError(
        `${request.path} is a SavedModel; say which model and version it is`,
        "e.g. mserve registry push export/ --name linear --version 3",
      );
    if (!VERSION.test(version))
      throw invalidInput(
        `TF Serving versions are positive whole numbers, got "${version}"`,
        "Pass e.g. --version 3.",
      );
    await checkSavedModel(request.path);
    return builtArtifact(
      `${checkModelName(name)}-${version}.tar.gz`,
      (out) =>
        writeVersionTar(
          out,
          [{ source: request.path, prefix: "" }],
          registryTarDate(request.env),
          request.signal,
        ),
      { name, version, kind: "tf-savedmodel", format: "tgz" },
    );
  },
};
