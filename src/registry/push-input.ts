import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { sha256File } from "../archive/hash.js";
import { fromFsError, invalidInput, usageError } from "../errors.js";
import { checkModelName, checkVersion } from "../model/names.js";
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

export interface Pushable extends PushInput {
  /** Removes what describing built (a tar of a folder); the pushed path itself is never touched. */
  cleanup(): Promise<void>;
}

export interface DescribeOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** The target that made it (package --register): only it is asked. */
  target?: string;
}

/**
 * What a push stores. Each target recognises its own artifacts (Target.artifact:
 * a TorchServe archive or no-archive folder, a Triton model version, a TF
 * SavedModel, an MLServer version) and says how they are stored; anything else
 * is a plain file, which needs --name and --version and is stored for download only.
 */
export async function describePush(
  path: string,
  cwd: string,
  flags: PushFlags,
  options: DescribeOptions = {},
): Promise<Pushable> {
  const full = resolve(cwd, path);
  const info = await stat(full).catch((error) => Promise.reject(fromFsError(error, full, "artifact")));
  for (const key of ["name", "version"] as const)
    if (flags[key] === "") throw usageError(`--${key} is empty`);
  const request = {
    path: full,
    isDirectory: info.isDirectory(),
    name: flags.name,
    version: flags.version,
    env: options.env ?? process.env,
    signal: options.signal,
  };
  const { TARGETS } = await import("../targets/table.js");
  const descriptors = Object.values(TARGETS).filter((d) => !options.target || d.id === options.target);
  for (const descriptor of descriptors) {
    const hooks = (await descriptor.load()).artifact;
    if (!hooks || !(options.target || (await hooks.detect(request)))) continue;
    const { cleanup, path: stored, ...artifact } = await hooks.describe(request);
    return {
      ...artifact,
      path: stored,
      target: descriptor.id,
      description: flags.description,
      tags: flags.tags,
      source: full,
      cleanup,
    };
  }
  if (info.isDirectory()) {
    throw invalidInput(
      `${full} is a folder mserve does not recognise as a model`,
      "The registry stores TorchServe archives (or no-archive folders), Triton model folders (config.pbtxt + a version folder), TF SavedModels, MLServer versions, or single files.",
    );
  }
  if (!flags.name || !flags.version) {
    throw usageError(
      `${full} is not a model archive mserve recognises, so --name and --version are needed`,
      "e.g. mserve registry push model.onnx --name intent --version 3",
    );
  }
  const sha256 = await sha256File(full);
  return {
    path: full,
    name: checkModelName(flags.name),
    version: checkVersion(flags.version),
    target: "any",
    kind: "file",
    format: "file",
    sha256,
    // A plain file is its own content.
    digest: sha256,
    size: info.size,
    description: flags.description,
    tags: flags.tags,
    source: full,
    cleanup: async () => {},
  };
}
