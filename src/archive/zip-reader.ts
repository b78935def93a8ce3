import { PassThrough, type Readable } from "node:stream";
import yauzl from "yauzl";
import { fromFsError, invalidInput, MserveError, notFound } from "../errors.js";
import { checkDeclaredRatio, type ResolvedRatio } from "./extract-ratio.js";

/**
 * Reads .mar/.zip archives without extracting them. Names are decoded here but
 * never judged: callers (validate, extract) decide what is safe, so a hostile
 * name becomes a diagnostic instead of an opaque yauzl failure. That is why
 * yauzl runs with `decodeStrings: false` (with it on, yauzl stops the whole
 * listing at the first `..`, absolute or backslash name).
 */

export type ZipMethod = "stored" | "deflated" | number;

/** What a local-headers-only reader (TorchServe's java.util.zip.ZipInputStream) sees. */
export interface ZipLocalHeader {
  name: string;
  flags: number;
  method: number;
  /** Flag bit 3: sizes follow the data. Java refuses this on STORED entries. */
  dataDescriptor: boolean;
  zip64: boolean;
}

/** One entry as read from the central directory, plus its local header. */
export interface ZipEntryInfo {
  name: string;
  size: number;
  compressedSize: number;
  /** Raw compression method number (0 stored, 8 deflated). */
  method: number;
  crc32: number;
  isDirectory: boolean;
  isSymlink: boolean;
  executable: boolean;
  /** Unix mode from the external attributes (0 when the archive was made on Windows). */
  mode: number;
  mtime: Date;
  encrypted: boolean;
  zip64: boolean;
  local: ZipLocalHeader;
  raw: yauzl.Entry;
}

/** The public, data-only listing (no yauzl objects), as `mserve inspect` reports it. */
export interface ZipListingEntry extends Omit<ZipEntryInfo, "size" | "method" | "raw"> {
  uncompressedSize: number;
  method: ZipMethod;
}

export interface ZipListing {
  path: string;
  entries: ZipListingEntry[];
}

export interface OpenZip {
  entries: ZipEntryInfo[];
  /** Inflated content. Stream errors arrive as MserveError INVALID_INPUT (sizes are validated: zip bombs lie). */
  openStream(entry: ZipEntryInfo): Promise<Readable>;
  close(): void;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const ZIP64_EXTRA = 0x0001;
const MAX_32 = 0xffffffff;

export const methodName = (method: number): ZipMethod =>
  method === 0 ? "stored" : method === 8 ? "deflated" : method;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const corruptZip = (path: string, error: unknown) =>
  invalidInput(
    `${path} is not a valid zip archive (${message(error)})`,
    "The file may be truncated or corrupted: re-create or re-download it.",
  );

/** A data error inside one entry; "too many bytes" is yauzl catching a size lie. */
function corruptEntry(path: string, name: string, error: unknown): MserveError {
  const text = message(error);
  const bomb = /too many bytes/.test(text) ? " (it inflates past its declared size: a zip bomb?)" : "";
  return invalidInput(
    `entry ${JSON.stringify(name)} in ${path} is corrupt: ${text}${bomb}`,
    "Re-create the archive; only extract archives you trust.",
  );
}

/** Local extra fields are not parsed by yauzl; only the zip64 field matters here. */
function hasZip64Extra(extra: Buffer): boolean {
  for (let i = 0; i + 4 <= extra.length; ) {
    if (extra.readUInt16LE(i) === ZIP64_EXTRA) return true;
    i += 4 + extra.readUInt16LE(i + 2);
  }
  return false;
}

async function describe(zip: yauzl.ZipFile, raw: yauzl.Entry): Promise<ZipEntryInfo> {
  // Keep backslashes as written (strict = true) so the zip-slip gate sees `..\x` for what it is.
  const name = yauzl.getFileNameLowLevel(raw.generalPurposeBitFlag, raw.fileNameRaw, raw.extraFields, true);
  const local = await zip.readLocalFileHeaderPromise(raw);
  const mode = raw.externalFileAttributes >>> 16;
  return {
    name,
    size: raw.uncompressedSize,
    compressedSize: raw.compressedSize,
    method: raw.compressionMethod,
    crc32: raw.crc32 >>> 0,
    isDirectory: name.endsWith("/"),
    isSymlink: (mode & S_IFMT) === S_IFLNK,
    executable: (mode & 0o111) !== 0,
    mode,
    mtime: raw.getLastModDate(),
    encrypted: raw.isEncrypted(),
    zip64: raw.extraFields.some((f) => f.id === ZIP64_EXTRA),
    local: {
      // Java ignores the Info-ZIP unicode path field, so decode the raw bytes only.
      name: yauzl.getFileNameLowLevel(local.generalPurposeBitFlag, local.fileName, [], true),
      flags: local.generalPurposeBitFlag,
      method: local.compressionMethod,
      dataDescriptor: (local.generalPurposeBitFlag & 0x8) !== 0,
      zip64:
        local.compressedSize === MAX_32 ||
        local.uncompressedSize === MAX_32 ||
        hasZip64Extra(local.extraField),
    },
    raw,
  };
}

export interface OpenZipOptions {
  /** Refuse (INVALID_INPUT) an entry whose declared sizes exceed this ratio (extract-ratio.ts). */
  ratio?: ResolvedRatio | undefined;
}

/**
 * Opens a zip and reads its central directory and every local header, without
 * inflating anything. Declared sizes are enough for the ratio check: yauzl
 * (validateEntrySizes) fails a stream that inflates past them.
 */
export async function openZip(path: string, options: OpenZipOptions = {}): Promise<OpenZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    const fsError = fromFsError(error, path, "archive");
    throw fsError instanceof MserveError ? fsError : corruptZip(path, error);
  }
  const entries: ZipEntryInfo[] = [];
  try {
    for await (const raw of zip.eachEntry()) entries.push(await describe(zip, raw));
  } catch (error) {
    zip.close();
    throw corruptZip(path, error);
  }
  try {
    for (const e of entries) checkDeclaredRatio(path, e, options.ratio);
  } catch (error) {
    zip.close();
    throw error;
  }
  const openStream = async (entry: ZipEntryInfo): Promise<Readable> => {
    if (entry.encrypted)
      throw invalidInput(
        `entry ${JSON.stringify(entry.name)} in ${path} is encrypted`,
        "Re-create it without a password.",
      );
    let source: Readable;
    try {
      source = await zip.openReadStreamPromise(entry.raw);
    } catch (error) {
      throw corruptEntry(path, entry.name, error);
    }
    // Relay through a PassThrough so consumers only ever see MserveError, and so
    // yauzl's late re-emitted size errors never go unhandled after they detach.
    const out = new PassThrough();
    source.on("error", (error) => out.destroy(corruptEntry(path, entry.name, error)));
    out.on("close", () => source.destroy());
    // Callers consume at once (pipeline / for await), which surfaces the error; this only keeps
    // an error raised before they attach from crashing the process as "unhandled".
    out.on("error", () => {});
    source.pipe(out);
    return out;
  };
  return { entries, openStream, close: () => zip.close() };
}

/** The whole listing as plain data: central-directory facts plus the local-header facts Java relies on. */
export async function listZip(path: string): Promise<ZipListing> {
  const zip = await openZip(path);
  zip.close();
  return {
    path,
    entries: zip.entries.map(({ size, method, raw: _raw, ...rest }) => ({
      ...rest,
      uncompressedSize: size,
      method: methodName(method),
    })),
  };
}

async function readOpened(zip: OpenZip, entry: ZipEntryInfo, maxBytes: number): Promise<Buffer> {
  const tooBig = () =>
    invalidInput(
      `${entry.name} is ${entry.size} bytes, more than the ${maxBytes} bytes allowed for it`,
      "This file is expected to be small; check that the archive is the one you meant.",
    );
  if (entry.size > maxBytes) throw tooBig();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of await zip.openStream(entry)) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw tooBig(); // belt and braces: validateEntrySizes should already stop a liar
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads one small entry (e.g. MAR-INF/MANIFEST.json) without extracting the rest.
 * Either by archive path and entry name, or from an already opened zip.
 */
export async function readZipEntry(path: string, name: string, maxBytes: number): Promise<Buffer>;
export async function readZipEntry(zip: OpenZip, entry: ZipEntryInfo, maxBytes: number): Promise<Buffer>;
export async function readZipEntry(
  source: string | OpenZip,
  target: string | ZipEntryInfo,
  maxBytes: number,
): Promise<Buffer> {
  if (typeof source !== "string") return readOpened(source, target as ZipEntryInfo, maxBytes);
  const zip = await openZip(source);
  try {
    const entry = zip.entries.find((e) => e.name === target);
    if (!entry)
      throw notFound(`${source} has no entry ${JSON.stringify(target)}`, "List it with `mserve inspect`.");
    return await readOpened(zip, entry, maxBytes);
  } finally {
    zip.close();
  }
}
