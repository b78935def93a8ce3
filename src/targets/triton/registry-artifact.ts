import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { registryTarDate } from "../../archive/source-date.js";
import { writeVersionTar } from "../../archive/version-tar.js";
import { invalidInput, usageError } from "../../errors.js";
import { isFile } from "../../files.js";
import { checkModelName } from "../../model/names.js";
import { agreeing, builtArtifact } from "../../registry/artifact-file.js";
import type { ArtifactHooks, ArtifactRequest, RegistryArtifact } from "../target.js";
import { validateTriton } from "./validate.js";
import { tritonFolder } from "./version-folder.js";

const VERSION = /^[1-9][0-9]*$/;

/** The model folder and the version a pushed path names: NAME/ (with --version or one version) or NAME/VERSION/. */
async function locate(request: ArtifactRequest): Promise<{ modelDir: string; version: string }> {
  if (await isFile(join(request.path, "config.pbtxt"))) {
    const versions = (await readdir(request.path, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && VERSION.test(e.name))
      .map((e) => e.name);
    const version = request.version ?? (versions.length === 1 ? versions[0] : undefined);
    if (!version)
      throw usageError(
        `${request.path} holds ${versions.length === 0 ? "no version folder" : `versions ${versions.join(", ")}`}; say which one to push`,
        `Pass --version, or push the version folder itself (e.g. ${join(request.path, versions[0] ?? "1")}).`,
      );
    if (!versions.includes(version))
      throw invalidInput(
        `${request.path} has no version folder ${version}`,
        `Versions there: ${versions.join(", ") || "none"}.`,
      );
    return { modelDir: request.path, version };
  }
  const version = basename(request.path);
  agreeing(
    "--version",
    request.version,
    version,
    "the version folder's name",
    "Triton serves a version under its folder's name.",
  );
  return { modelDir: dirname(request.path), version };
}

/**
 * Triton model versions in the registry: config.pbtxt plus one version folder,
 * stored as a deterministic tar. Refused when Triton would not load the folder.
 */
export const tritonArtifacts: ArtifactHooks = {
  async detect({ path, isDirectory }) {
    if (!isDirectory) return false;
    if (await isFile(join(path, "config.pbtxt"))) return true;
    return VERSION.test(basename(path)) && isFile(join(dirname(path), "config.pbtxt"));
  },

  async describe(request): Promise<RegistryArtifact> {
    const { modelDir, version } = await locate(request);
    const name = checkModelName(basename(modelDir));
    agreeing(
      "--name",
      request.name,
      name,
      "the model folder's name",
      "Triton serves a model under its folder's name.",
    );
    const validation = await validateTriton(modelDir, "/");
    const errors = validation.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0)
      throw invalidInput(
        `${name} would not load in Triton: ${errors[0]?.message}`,
        `Run \`mserve validate ${modelDir}\` for all ${errors.length} problem(s).`,
        { diagnostics: errors },
      );
    const folder = tritonFolder(dirname(modelDir), name, version);
    return builtArtifact(
      `${name}-${version}.tar.gz`,
      (out) => writeVersionTar(out, folder.parts, registryTarDate(request.env), request.signal),
      { name, version, kind: "triton-version", format: "tgz" },
    );
  },
};
