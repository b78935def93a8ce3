import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";

/**
 * write-temp + fsync + rename + fsync(dir): after a crash at any point the file
 * holds either the old or the new content, never a mix, and the rename survives power loss.
 */
export async function writeDurable(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = reserveTempSibling(path);
  try {
    const handle = await open(temp, "w", 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    releaseTempPath(temp);
  } catch (error) {
    await rm(temp, { force: true });
    releaseTempPath(temp);
    throw error;
  }
  await syncFolder(dirname(path));
}

/**
 * One line, one write() on an O_APPEND descriptor, then fsync: lines never
 * interleave. A line torn by a crash is closed first, so it cannot swallow this one.
 */
export async function appendDurable(
  path: string,
  line: string,
  options: { sync?: boolean } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, "a+", 0o644);
  try {
    const { size } = await handle.stat();
    let torn = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      torn = last[0] !== 0x0a;
    }
    await handle.write(`${torn ? "\n" : ""}${line.endsWith("\n") ? line : `${line}\n`}`);
    if (options.sync !== false) await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
