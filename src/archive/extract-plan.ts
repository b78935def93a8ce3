import { invalidInput, type MserveError } from "../errors.js";
import { checkEntryName } from "./entry-path.js";
import type { RatioLimit } from "./extract-ratio.js";
import type { ZipEntryInfo } from "./zip-reader.js";

/**
 * The listing pass of extraction: every entry is judged here before a single
 * byte is written, so a hostile archive is refused whole and leaves nothing.
 * Entries are fed one at a time so a tar.gz listing can stop at the first
 * problem (or the first limit crossed) instead of inflating the whole thing.
 */

export type PlanEntryKind = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface PlanInput {
  name: string;
  size: number;
  kind: PlanEntryKind;
  executable: boolean;
  /** Link target, only to name it in the error. */
  linkname?: string | undefined;
}

export interface PlannedEntry {
  /** Name as written in the archive, to match entries in the write pass. */
  source: string;
  /** Normalized, safe, `/`-separated path under the destination. */
  target: string;
  size: number;
  isDirectory: boolean;
  executable: boolean;
}

export interface PlanOptions extends RatioLimit {
  maxEntries: number;
  maxTotalBytes: number;
  /** tar's --strip-components: drop N leading folders; entries with nothing left are skipped. */
  stripComponents?: number;
  /** TorchServe's tgz rule: drop everything up to and including the first `/` (names without one are kept). */
  stripFirstComponent?: boolean;
}

const TRUST_HINT = "Only extract archives you trust; ask the archive's author for a clean copy.";

export const unsafeEntry = (archive: string, name: string, problem: string): MserveError =>
  invalidInput(`unsafe entry ${JSON.stringify(name)} in ${archive}: ${problem}`, TRUST_HINT);

export const tooManyBytes = (archive: string, what: string, limit: number): MserveError =>
  invalidInput(
    `${archive} ${what} more than the limit of ${limit} bytes`,
    "Raise the limit with --max-bytes if you trust this archive.",
  );

export class ExtractPlan {
  readonly entries: PlannedEntry[] = [];
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();
  private seen = 0;
  private declared = 0;

  constructor(
    private readonly archive: string,
    private readonly options: PlanOptions,
  ) {}

  /** Judges one entry; throws INVALID_INPUT at the first problem. */
  add(entry: PlanInput): void {
    const { archive, options } = this;
    if (++this.seen > options.maxEntries)
      throw invalidInput(
        `${archive} has more than ${options.maxEntries} entries, the limit`,
        "Raise the limit with --max-entries if you trust this archive.",
      );
    // Links are refused outright: a symlink followed by a file written "through" it is the classic escape.
    if (entry.kind === "symlink" || entry.kind === "hardlink") {
      const what = entry.kind === "symlink" ? "symlink" : "hard link";
      const to = entry.linkname ? ` to ${JSON.stringify(entry.linkname)}` : "";
      throw unsafeEntry(archive, entry.name, `it is a ${what}${to}; ${what} entries are not allowed`);
    }
    if (entry.kind === "other")
      throw unsafeEntry(
        archive,
        entry.name,
        "it is a device, FIFO or other special file; only files and folders are allowed",
      );
    const check = checkEntryName(entry.name);
    if (!check.ok) throw unsafeEntry(archive, entry.name, check.reason);
    const isDirectory = entry.kind === "directory";
    const segments = this.strip(check.normalized, isDirectory);
    if (segments.length === 0) return;
    const target = segments.join("/");
    if (isDirectory) {
      if (this.files.has(target))
        throw unsafeEntry(archive, entry.name, `${target} is both a file and a folder`);
      this.dirs.add(target);
    } else {
      if (this.files.has(target))
        throw unsafeEntry(archive, entry.name, `duplicate entry ${JSON.stringify(target)}`);
      if (this.dirs.has(target))
        throw unsafeEntry(archive, entry.name, `${target} is both a file and a folder`);
      this.files.add(target);
    }
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      if (this.files.has(parent))
        throw unsafeEntry(
          archive,
          entry.name,
          `it would be written under the file entry ${JSON.stringify(parent)}`,
        );
      this.dirs.add(parent);
    }
    if (!isDirectory) {
      this.declared += entry.size;
      if (this.declared > options.maxTotalBytes)
        throw tooManyBytes(archive, "declares", options.maxTotalBytes);
    }
    this.entries.push({
      source: entry.name,
      target,
      size: entry.size,
      isDirectory,
      executable: entry.executable,
    });
  }

  private strip(normalized: string, isDirectory: boolean): string[] {
    if (this.options.stripFirstComponent) {
      // Java's name.substring(name.indexOf('/') + 1): a folder entry "m/" strips to nothing.
      const name = isDirectory ? `${normalized}/` : normalized;
      const rest = name.slice(name.indexOf("/") + 1).replace(/\/$/, "");
      return rest === "" ? [] : rest.split("/");
    }
    return normalized.split("/").slice(this.options.stripComponents ?? 0);
  }

  get fileCount(): number {
    return this.files.size;
  }
}

/** What java.util.zip and yauzl disagree on, or cannot read, is refused before anything is written. */
export function checkZipEntry(archive: string, entry: ZipEntryInfo): void {
  if (entry.encrypted)
    throw invalidInput(
      `entry ${JSON.stringify(entry.name)} in ${archive} is encrypted`,
      "Re-create the archive without a password.",
    );
  if (entry.method !== 0 && entry.method !== 8)
    throw invalidInput(
      `entry ${JSON.stringify(entry.name)} in ${archive} uses compression method ${entry.method}; only stored (0) and deflated (8) are supported`,
      "Re-create the archive with standard zip compression.",
    );
  // TorchServe extracts by the local name, mserve by the central one: they must be the same file.
  if (entry.local.name !== entry.name)
    throw unsafeEntry(archive, entry.name, `its local header names it ${JSON.stringify(entry.local.name)}`);
}
