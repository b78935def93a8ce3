import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentDigest, type DigestOptions } from "../archive/content-digest.js";
import { sha256File } from "../archive/hash.js";
import { registerTempPath, releaseTempPath } from "../archive/temp-paths.js";
import { usageError } from "../errors.js";
import type { RegistryArtifact } from "../targets/target.js";

type Described = Omit<RegistryArtifact, "sha256" | "size" | "digest" | "cleanup" | "path">;

/** Hashes a file the registry will store: its bytes (sha256) and its content (digest). */
export async function describeFile(
  path: string,
  what: Described,
  digest: DigestOptions = {},
  cleanup: () => Promise<void> = async () => {},
): Promise<RegistryArtifact> {
  const [sha256, content, info] = await Promise.all([
    sha256File(path),
    contentDigest(path, digest),
    stat(path),
  ]);
  return { ...what, path, sha256, digest: content, size: info.size, cleanup };
}

/**
 * A folder is stored as an archive built from it in a temp folder (removed by
 * the artifact's cleanup, or on Ctrl-C), never next to the user's files.
 */
export async function builtArtifact(
  file: string,
  build: (path: string) => Promise<void>,
  what: Described,
  digest: DigestOptions = {},
): Promise<RegistryArtifact> {
  const dir = await mkdtemp(join(tmpdir(), "mserve-push-"));
  registerTempPath(dir);
  const cleanup = async () => {
    await rm(dir, { recursive: true, force: true });
    releaseTempPath(dir);
  };
  try {
    const path = join(dir, file);
    await build(path);
    return await describeFile(path, what, digest, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A name or version given by flag must agree with what the artifact says of itself (exit 2). */
export function agreeing(
  flag: string,
  given: string | undefined,
  actual: string,
  source: string,
  hint: string,
): void {
  if (given === undefined || given === actual) return;
  throw usageError(`${flag} ${given} disagrees with ${source} (${actual})`, hint);
}
