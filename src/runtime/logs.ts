import { open, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** The last `lines` lines, reading backwards in blocks so a multi-GB log costs no memory. */
export async function readLogTail(file: string, lines: number): Promise<string> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const block = 64 * 1024;
    let position = size;
    let text = "";
    while (position > 0 && text.split("\n").length <= lines + 1) {
      const length = Math.min(block, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      text = buffer.toString("utf8") + text;
    }
    const all = text.split("\n");
    if (all[all.length - 1] === "") all.pop();
    return lines === 0 ? "" : `${all.slice(-lines).join("\n")}${all.length ? "\n" : ""}`;
  } finally {
    await handle.close();
  }
}

/** Streams bytes appended to `file` until `signal` aborts (`mserve logs -f`). */
export async function followFile(
  file: string,
  onChunk: (chunk: string) => void,
  { signal, intervalMs = 250 }: { signal: AbortSignal; intervalMs?: number },
): Promise<void> {
  let position = (await stat(file)).size;
  while (!signal.aborted) {
    const { size } = await stat(file).catch(() => ({ size: position }));
    // A truncated (rotated) log starts over from the top.
    if (size < position) position = 0;
    if (size > position) {
      const handle = await open(file, "r");
      try {
        const buffer = Buffer.alloc(size - position);
        await handle.read(buffer, 0, buffer.length, position);
        position = size;
        onChunk(buffer.toString("utf8"));
      } finally {
        await handle.close();
      }
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => {});
  }
}
