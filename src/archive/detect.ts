import { open, stat } from "node:fs/promises";
import { fromFsError, invalidInput } from "../errors.js";

export type ContainerKind = "zip" | "tgz" | "folder";

/** By content, not by name: a .mar that is really a tar.gz must be caught, not trusted. */
export async function detectContainer(path: string): Promise<{ kind: ContainerKind; bytes: number }> {
  const info = await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "archive")));
  if (info.isDirectory()) return { kind: "folder", bytes: 0 };
  const fh = await open(path, "r").catch((error) => Promise.reject(fromFsError(error, path, "archive")));
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return { kind: "zip", bytes: info.size };
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x06054b50) return { kind: "zip", bytes: info.size };
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { kind: "tgz", bytes: info.size };
  } finally {
    await fh.close();
  }
  throw invalidInput(
    `${path} is neither a zip (.mar) nor a gzip'd tar archive${info.size === 0 ? " (it is empty)" : ""}`,
    "Pass a .mar, .zip or .tar.gz file, or a folder made by `mserve package --archive-format no-archive`.",
  );
}
