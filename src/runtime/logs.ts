import { open, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { setTimeout as sleep } from "node:timers/promises";

const BLOCK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The last `lines` lines, reading backwards in blocks so a multi-GB log costs
 * no memory. Decoded once at the end, so a UTF-8 character split across blocks
 * survives. A missing file rejects with the fs error (ENOENT) for the caller to word.
 */
export async function readLogTail(file: string, lines: number): Promise<string> {
  if (lines <= 0) return "";
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const blocks: Buffer[] = [];
    let position = size;
    // One newline more than wanted marks where the wanted lines start (a final newline ends the last line).
    let newlines = 0;
    while (position > 0 && newlines <= lines) {
      const length = Math.min(BLOCK, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      blocks.unshift(buffer);
      for (const byte of buffer) if (byte === NEWLINE) newlines++;
    }
    const text = Buffer.concat(blocks);
    const body = text.at(-1) === NEWLINE ? text.subarray(0, -1) : text;
    let start = body.length;
    for (let found = 0; start > 0; start--) {
      if (body[start - 1] === NEWLINE && ++found === lines) break;
    }
    return text.subarray(start).toString("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * Streams bytes appended to `file` until `signal` aborts (`mserve logs -f`).
 * Polls rather than fs.watch: watch misses appends on network and bind-mounted
 * folders (docker), and a 250 ms delay is invisible to a person reading logs.
 * Starts at the current end of the file, or at `from` when given.
 */
export async function followFile(
  file: string,
  onChunk: (chunk: string) => void,
  { signal, intervalMs = 250, from }: { signal: AbortSignal; intervalMs?: number; from?: number },
): Promise<void> {
  const first = await stat(file);
  let position = from ?? first.size;
  let inode = first.ino;
  let decoder = new StringDecoder("utf8");
  while (!signal.aborted) {
    // A file that is briefly missing (rotation) is waited for.
    const { size, ino } = await stat(file).catch(() => ({ size: position, ino: inode }));
    // A truncated or replaced (rotated) log starts over from the top.
    if (size < position || ino !== inode) {
      position = 0;
      decoder = new StringDecoder("utf8");
    }
    inode = ino;
    if (size > position) {
      const handle = await open(file, "r");
      try {
        // In bounded reads, so a burst of gigabytes is not held in memory at once.
        while (position < size && !signal.aborted) {
          const buffer = Buffer.alloc(Math.min(BLOCK * 16, size - position));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          const text = decoder.write(buffer.subarray(0, bytesRead));
          if (text) onChunk(text);
        }
      } finally {
        await handle.close();
      }
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => {});
  }
}
