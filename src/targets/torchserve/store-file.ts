/**
 * The store file name carries the archive's content digest, so "is this exact
 * model already deployed?" is answered by the server's own modelUrl, with no
 * extra state; a re-package of the same files (new createdOn) has the same name.
 * Files deployed before digests carry the archive's sha256 there instead.
 */
export function storeFileName(name: string, version: string, digest: string, kind: "zip" | "tgz"): string {
  return `${name}-${version}-${digest.slice(0, 12)}${kind === "zip" ? ".mar" : ".tar.gz"}`;
}

const STORE_FILE = /^(.+)-([^-]+)-([0-9a-f]{12})\.(mar|tar\.gz)$/;

/** The 12 hex digits a store file name carries (a digest or, for older deploys, a sha256 prefix). */
export const storeFilePrefix = (url: string): string | undefined => STORE_FILE.exec(url)?.[3];

/** Whether a modelUrl is a file deploy put in the store (and so mserve may remove). */
export const isStoreFileOfMserve = (url: string) => STORE_FILE.test(url);
