import { open, stat } from "node:fs/promises";
import { fromFsError, invalidInput } from "../errors.js";

export type ContainerKind = "zip" | "tgz" | "folder";

const ZIP_LOCAL = 0x04034b50; // "PK\x03\x04": the first entry's local header
const ZIP_EMPTY = 0x06054b50; // "PK\x05\x06": an empty zip is only its end record

/**
 * By content, not by name: a .mar that is really a tar.gz (or a renamed
 * download error page) must be caught, not trusted. TorchServe itself goes by
 * the name (§2.2), which is exactly why mserve checks what is inside.
 */
export async function detectContainer(path: string): Promise<{ kind: ContainerKind; bytes: number }> {
  const info = await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "archive")));
  if (info.isDirectory()) return { kind: "folder", bytes: 0 };
  const head = Buffer.alloc(4);
  const fh = await open(path, "r").catch((error) => Promise.reject(fromFsError(error, path, "archive")));
  let bytesRead: number;
  try {
    ({ bytesRead } = await fh.read(head, 0, 4, 0));
  } finally {
    await fh.close();
  }
  if (bytesRead >= 4 && [ZIP_LOCAL, ZIP_EMPTY].includes(head.readUInt32LE(0)))
    return { kind: "zip", bytes: info.size };
  if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { kind: "tgz", bytes: info.size };
  const found =
    info.size === 0 ? "it is empty" : `it starts with bytes ${head.subarray(0, bytesRead).toString("hex")}`;
  throw invalidInput(
    `${path} is neither a zip (.mar) nor a gzip'd tar archive (${found})`,
    "Pass a .mar, .zip or .tar.gz file, or a folder made by `mserve package --archive-format no-archive`.",
  );
}

/** Just the kind, for callers that do not need the size. */
export const detectKind = async (path: string): Promise<ContainerKind> => (await detectContainer(path)).kind;
