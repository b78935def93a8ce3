import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { registryTarDate } from "../../archive/source-date.js";
import { writeVersionTar } from "../../archive/version-tar.js";
import { agreeing, builtArtifact } from "../../registry/artifact-file.js";
import type { ArtifactHooks, ArtifactRequest, RegistryArtifact } from "../target.js";
import { MANIFEST_PATH } from "./manifest.js";
import { checkArtifact } from "./model-store.js";
import { readArtifact } from "./read-artifact.js";

const hint =
  "TorchServe serves an archive under its manifest's name and version; repackage with the wanted values (mserve package -v …).";

/**
 * TorchServe archives in the registry: a .mar or .tar.gz is stored as it is; a
 * no-archive folder as the .tar.gz TorchServe loads (its files under `<name>/`),
 * built reproducibly. Name and version come from the manifest.
 */
export const torchserveArtifacts: ArtifactHooks = {
  async detect({ path, isDirectory }) {
    if (isDirectory)
      return stat(join(path, MANIFEST_PATH)).then(
        (s) => s.isFile(),
        () => false,
      );
    if (/\.mar$/i.test(path)) return true;
    // A .tar.gz without a manifest is someone else's archive: stored as a plain file.
    if (!/\.(tar\.gz|tgz)$/i.test(path)) return false;
    return readArtifact(path).then(
      (listing) => listing.manifestText !== undefined,
      () => false,
    );
  },

  async describe(request: ArtifactRequest): Promise<RegistryArtifact> {
    if (!request.isDirectory) return describeArchive(request.path, request);
    const listing = await readArtifact(request.path);
    const manifest = JSON.parse(listing.manifestText ?? "{}") as { model?: { modelName?: string } };
    const folder = manifest.model?.modelName ?? basename(request.path);
    return builtArtifact(
      `${folder}.tar.gz`,
      (out) =>
        writeVersionTar(
          out,
          [{ source: request.path, prefix: folder }],
          registryTarDate(request.env),
          request.signal,
        ),
      { name: "", version: "", kind: "torchserve-archive", format: "tgz" },
      { strip: 1 },
    ).then(async (built) => {
      // The archive built is checked as the one TorchServe will load.
      const checked = await describeArchive(built.path, request).catch(async (error) => {
        await built.cleanup();
        throw error;
      });
      return { ...checked, cleanup: built.cleanup };
    });
  },
};

async function describeArchive(path: string, request: ArtifactRequest): Promise<RegistryArtifact> {
  const artifact = await checkArtifact(path);
  agreeing("--name", request.name, artifact.name, "the archive's manifest", hint);
  agreeing("--version", request.version, artifact.version, "the archive's manifest", hint);
  return {
    path,
    name: artifact.name,
    version: artifact.version,
    kind: "torchserve-archive",
    format: artifact.kind === "zip" ? "mar" : "tgz",
    sha256: artifact.sha256,
    digest: artifact.digest,
    size: (await stat(path)).size,
    cleanup: async () => {},
  };
}
