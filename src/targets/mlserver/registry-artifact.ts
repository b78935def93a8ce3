import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { readZipEntry } from "../../archive/zip-reader.js";
import { usageError } from "../../errors.js";
import { agreeing, builtArtifact, describeFile } from "../../registry/artifact-file.js";
import type { ArtifactHooks, ArtifactRequest, RegistryArtifact } from "../target.js";
import { zipVersion } from "./artifact.js";
import { SETTINGS_FILE } from "./settings.js";

const what = (name: string, version: string) =>
  ({ name, version, kind: "mlserver-version", format: "zip" }) as const;

/** The name and version model-settings.json gives (parameters.version). */
function named(text: string | undefined): { name?: string; version?: string } {
  try {
    const settings = JSON.parse(text ?? "") as { name?: unknown; parameters?: { version?: unknown } };
    return {
      ...(typeof settings.name === "string" ? { name: settings.name } : {}),
      ...(typeof settings.parameters?.version === "string" ? { version: settings.parameters.version } : {}),
    };
  } catch {
    return {};
  }
}

const settingsInZip = (path: string) =>
  readZipEntry(path, SETTINGS_FILE, 1 << 20).then(
    (b) => b.toString("utf8"),
    () => undefined,
  );

function identify(request: ArtifactRequest, settings: string | undefined): { name: string; version: string } {
  const own = named(settings);
  const hint = "The version folder's model-settings.json names it (name, parameters.version).";
  agreeing("--name", request.name, own.name ?? request.name ?? "", SETTINGS_FILE, hint);
  agreeing("--version", request.version, own.version ?? request.version ?? "", SETTINGS_FILE, hint);
  const name = own.name ?? request.name;
  const version = own.version ?? request.version;
  if (!name || !version)
    throw usageError(
      `${request.path} does not say its ${name ? "version" : "name"}`,
      "Pass --name and --version, or set them in model-settings.json (name, parameters.version).",
    );
  return { name, version };
}

/**
 * MLServer versions in the registry: a version folder (model-settings.json at
 * its root) is stored zipped, the same folder always to the same bytes; a zip
 * `package --target mlserver --register` wrote is stored as it is.
 */
export const mlserverArtifacts: ArtifactHooks = {
  async detect({ path, isDirectory }) {
    if (isDirectory)
      return stat(join(path, SETTINGS_FILE)).then(
        (s) => s.isFile(),
        () => false,
      );
    return /\.zip$/i.test(path) && (await settingsInZip(path)) !== undefined;
  },

  async describe(request): Promise<RegistryArtifact> {
    if (!request.isDirectory) {
      const { name, version } = identify(request, await settingsInZip(request.path));
      return describeFile(request.path, what(name, version));
    }
    const settings = await readFile(join(request.path, SETTINGS_FILE), "utf8").catch(() => undefined);
    const { name, version } = identify(request, settings);
    return builtArtifact(
      `${name}-${version}.zip`,
      (out) => zipVersion(request.path, out),
      what(name, version),
    );
  },
};
