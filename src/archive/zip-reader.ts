import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { invalidInput } from "../errors.js";

export interface ZipEntryInfo {
  /** Decoded from the central directory (CP437 or UTF-8), unchecked: callers decide what is safe. */
  name: string;
  size: number;
  compressedSize: number;
  method: number;
  isDirectory: boolean;
  isSymlink: boolean;
  executable: boolean;
  encrypted: boolean;
  /** What a local-headers-only reader (java.util.zip.ZipInputStream) sees. */
  local: { name: string; method: number; dataDescriptor: boolean };
  raw: yauzl.Entry;
}

export interface OpenZip {
  entries: ZipEntryInfo[];
  /** Inflated content; yauzl errors if it does not match the declared size (zip bombs lie). */
  openStream(entry: ZipEntryInfo): Promise<Readable>;
  close(): void;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export const corruptZip = (path: string, error: unknown) =>
  invalidInput(
    `${path} is not a valid zip archive (${(error as Error)?.message ?? String(error)})`,
    "The file may be truncated or corrupted: re-create or re-download it.",
  );

/** Opens a zip and reads its central directory and every local header, without inflating anything. */
export async function openZip(path: string): Promise<OpenZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (error) {
    throw corruptZip(path, error);
  }
  try {
    const entries: ZipEntryInfo[] = [];
    for await (const raw of zip.eachEntry()) {
      // strict: keep backslashes as written, so the zip-slip gate sees `..\\x` for what it is.
      const name = yauzl.getFileNameLowLevel(
        raw.generalPurposeBitFlag,
        raw.fileNameRaw,
        raw.extraFields,
        true,
      );
      const local = await zip.readLocalFileHeaderPromise(raw);
      const mode = raw.externalFileAttributes >>> 16;
      entries.push({
        name,
        size: raw.uncompressedSize,
        compressedSize: raw.compressedSize,
        method: raw.compressionMethod,
        isDirectory: name.endsWith("/"),
        isSymlink: (mode & S_IFMT) === S_IFLNK,
        executable: (mode & 0o111) !== 0,
        encrypted: raw.isEncrypted(),
        local: {
          name: yauzl.getFileNameLowLevel(local.generalPurposeBitFlag, local.fileName, [], true),
          method: local.compressionMethod,
          dataDescriptor: (local.generalPurposeBitFlag & 0x8) !== 0,
        },
        raw,
      });
    }
    return {
      entries,
      openStream: async (entry) => {
        try {
          const stream = await zip.openReadStreamPromise(entry.raw);
          // yauzl's inflater keeps writing after a size error and re-emits it once our
          // pipeline has detached; the first error still reaches the pipeline.
          stream.on("error", () => {});
          return stream;
        } catch (error) {
          throw corruptZip(path, error);
        }
      },
      close: () => zip.close(),
    };
  } catch (error) {
    zip.close();
    throw error instanceof Error && "code" in error && (error as { code: unknown }).code === "INVALID_INPUT"
      ? error
      : corruptZip(path, error);
  }
}

export async function readZipEntry(zip: OpenZip, entry: ZipEntryInfo, maxBytes: number): Promise<Buffer> {
  if (entry.size > maxBytes)
    throw invalidInput(`${entry.name} is ${entry.size} bytes, more than the ${maxBytes} allowed here`);
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openStream(entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
