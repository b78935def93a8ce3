/** What goes into an archive, independent of how it is written (zip, tgz, folder). */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, relative, already checked for safety. */
  name: string;
  source: { kind: "file"; path: string } | { kind: "buffer"; data: Buffer };
  size: number;
  /** Unix mode including the file-type bits, e.g. 0o100644. */
  mode: number;
  mtime: Date;
}

export interface WrittenEntry {
  name: string;
  size: number;
  compressedSize: number;
  method: "stored" | "deflated" | "gzip" | "copied";
}

export interface WriteHooks {
  signal?: AbortSignal;
  /** Called with the number of source bytes consumed, for progress display. */
  onBytes?: (bytes: number) => void;
}

export const totalSize = (entries: ArchiveEntry[]) => entries.reduce((sum, e) => sum + e.size, 0);
