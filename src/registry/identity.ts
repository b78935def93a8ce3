import type { ModelVersion } from "./types.js";

/**
 * What identifies a version's content: its digest (createdOn and wrapping left
 * out), or, for a version pushed before digests existed, its sha256.
 */
export const identityOf = (v: Pick<ModelVersion, "artifact">): string =>
  v.artifact.digest ?? v.artifact.sha256;

/** Two artifacts with the same content: digests when both have one, else the bytes' hashes. */
export function sameContent(
  a: Pick<ModelVersion, "artifact">,
  b: { sha256: string; digest?: string | undefined },
): boolean {
  if (a.artifact.digest && b.digest) return a.artifact.digest === b.digest;
  return a.artifact.sha256 === b.sha256;
}

/**
 * Whether what a server holds (a digest, or the 12-hex prefix a TorchServe
 * store file name carries) is this version: its digest, or, for archives
 * deployed before digests, its sha256.
 */
export function heldIs(v: Pick<ModelVersion, "artifact">, held: string): boolean {
  if (held.length < 12) return false;
  return [v.artifact.digest, v.artifact.sha256].some((known) => known?.startsWith(held));
}

export const short = (digest: string) => digest.slice(0, 12);
