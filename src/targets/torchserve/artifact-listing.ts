/**
 * A format-neutral view of a built artifact (zip, tgz or folder): what the
 * inspect and validate commands need, read without extracting anything.
 */
export type ArtifactKind = "zip" | "tgz" | "folder";

export interface ListedEntry {
  name: string;
  size: number;
  compressedSize: number;
  method: string;
  isDirectory: boolean;
  isSymlink: boolean;
  encrypted: boolean;
  /** Zip only: what java.util.zip.ZipInputStream sees, since it reads local headers only. */
  local?: { name: string; method: number; dataDescriptor: boolean };
}

export interface ArtifactListing {
  path: string;
  kind: ArtifactKind;
  bytes: number;
  entries: ListedEntry[];
  /** Where MAR-INF/MANIFEST.json was found (tgz: under the leading folder), if anywhere. */
  manifestEntry?: string;
  /** Raw manifest text, when present. */
  manifestText?: string;
  /** Raw text of the model-config YAML the manifest names, when present and small. */
  configText?: string;
}
