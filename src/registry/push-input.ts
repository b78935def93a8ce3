import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { sha256File } from "../archive/hash.js";
import { fromFsError, invalidInput, usageError } from "../errors.js";
import { checkModelName, checkVersion } from "../model/names.js";
import { checkArtifact } from "../targets/torchserve/model-store.js";
import type { PushInput } from "./types.js";

export interface PushFlags {
  name?: string;
  version?: string;
  description?: string;
  tags: Record<string, string>;
}

/** `k=v` pairs from repeated --tag flags; keys are unique. */
export function parseTags(values: string[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.indexOf("=");
    const key = eq === -1 ? "" : value.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_.\-/]{1,250}$/.test(key)) {
      throw usageError(
        `invalid --tag "${value}"`,
        "Tags are key=value, keys made of letters, digits, _, ., - and / (e.g. --tag git=3f2a1c).",
      );
    }
    if (key.startsWith("mserve.")) throw usageError(`tag keys starting with "mserve." are reserved: ${key}`);
    tags[key] = value.slice(eq + 1);
  }
  return tags;
}

/**
 * What a push stores: for TorchServe archives (.mar, .tar.gz) the name and version come from the
 * manifest (TorchServe registers under those, so flags may only repeat them);
 * any other file needs --name and --version and is stored for download only.
 */
export async function describePush(path: string, cwd: string, flags: PushFlags): Promise<PushInput> {
  const full = resolve(cwd, path);
  const info = await stat(full).catch((error) => Promise.reject(fromFsError(error, full, "artifact")));
  if (!info.isFile()) {
    throw invalidInput(
      `${full} is a folder; the registry stores files`,
      "Package it first: mserve package --archive-format default (or tgz).",
    );
  }
  if (/\.(mar|tar\.gz|tgz)$/i.test(full)) {
    const artifact = await checkArtifact(full);
    for (const [flag, given, actual] of [
      ["--name", flags.name, artifact.name],
      ["--version", flags.version, artifact.version],
    ] as const) {
      if (given !== undefined && given !== actual) {
        throw usageError(
          `${flag} ${given} disagrees with the archive's manifest (${actual})`,
          "TorchServe serves an archive under its manifest's name and version; repackage with the wanted values (mserve package -v …).",
        );
      }
    }
    return {
      path: full,
      name: artifact.name,
      version: artifact.version,
      target: "torchserve",
      format: artifact.kind === "zip" ? "mar" : "tgz",
      sha256: artifact.sha256,
      size: info.size,
      description: flags.description,
      tags: flags.tags,
      source: full,
    };
  }
  if (flags.name === "" || flags.version === "")
    throw usageError(`--${flags.name === "" ? "name" : "version"} is empty`);
  if (!flags.name || !flags.version) {
    throw usageError(
      `${full} is not a TorchServe archive, so --name and --version are needed`,
      "e.g. mserve registry push model.onnx --name intent --version 3",
    );
  }
  return {
    path: full,
    name: checkModelName(flags.name),
    version: checkVersion(flags.version),
    target: "any",
    format: "file",
    sha256: await sha256File(full),
    size: info.size,
    description: flags.description,
    tags: flags.tags,
    source: full,
  };
}
