/**
 * The store file name carries the archive hash, so "is this exact archive
 * already deployed?" is answered by the server's own modelUrl, with no extra state.
 */
export function storeFileName(name: string, version: string, sha256: string, kind: "zip" | "tgz"): string {
  return `${name}-${version}-${sha256.slice(0, 12)}${kind === "zip" ? ".mar" : ".tar.gz"}`;
}

const STORE_FILE = /^(.+)-([^-]+)-([0-9a-f]{12})\.(mar|tar\.gz)$/;

/** Whether a modelUrl is a file deploy put in the store (and so mserve may remove). */
export const isStoreFileOfMserve = (url: string) => STORE_FILE.test(url);
