import { appendFile, open, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { followFile, readLogTail } from "../../../src/runtime/logs.js";
import { waitUntil } from "../../../src/runtime/wait.js";
import { tempDirs } from "./temp-dirs.js";

const temp = tempDirs("logs");

describe("readLogTail", () => {
  it("returns the last lines of a file many read blocks long", async () => {
    const file = join(await temp(), "big.log");
    await writeFile(file, `${Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join("\n")}\n`);
    expect(await readLogTail(file, 3)).toBe("line 49997\nline 49998\nline 49999\n");
    expect(await readLogTail(file, 1)).toBe("line 49999\n");
    expect(await readLogTail(file, 0)).toBe("");
  });

  it("keeps a last line without newline, and returns short files whole", async () => {
    const dir = await temp();
    await writeFile(join(dir, "partial"), "a\nb\nc");
    expect(await readLogTail(join(dir, "partial"), 2)).toBe("b\nc");
    await writeFile(join(dir, "short"), "only\n");
    expect(await readLogTail(join(dir, "short"), 10)).toBe("only\n");
    await writeFile(join(dir, "empty"), "");
    expect(await readLogTail(join(dir, "empty"), 10)).toBe("");
  });

  it("does not break a UTF-8 character that straddles two read blocks", async () => {
    const file = join(await temp(), "utf8.log");
    // 80,000 bytes of 2-byte characters then 3 bytes: the 64 KiB block boundary falls at an odd offset.
    const long = "é".repeat(40_000);
    await writeFile(file, `${long}\nx\n`);
    expect(await readLogTail(file, 2)).toBe(`${long}\nx\n`);
  });

  it("rejects a missing file with the fs error, for the caller to word", async () => {
    await expect(readLogTail(join(await temp(), "none"), 5)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("followFile", () => {
  it("streams what is appended after it starts, whole characters only, until aborted", async () => {
    const file = join(await temp(), "f.log");
    await writeFile(file, "old line\n");
    const controller = new AbortController();
    const seen: string[] = [];
    const following = followFile(file, (chunk) => seen.push(chunk), {
      signal: controller.signal,
      intervalMs: 10,
    });
    const text = () => seen.join("");
    const until = (part: string) =>
      waitUntil(async () => (text().includes(part) ? true : undefined), {
        timeoutMs: 2_000,
        intervalMs: 5,
        what: part,
      });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await appendFile(file, "new line\n");
    await until("new line\n");
    // "é" written one byte at a time, with a poll in between: never shown as two broken halves.
    const handle = await open(file, "a");
    await handle.write(Buffer.from([0xc3]));
    await new Promise((resolve) => setTimeout(resolve, 40));
    await handle.write(Buffer.from([0xa9, 0x0a]));
    await handle.close();
    await until("é\n");
    controller.abort();
    await following;
    expect(text()).toBe("new line\né\n");
    expect(text()).not.toContain("\ufffd");
  });

  it.each([
    ["truncated in place", false, "gen 2\n"],
    ["replaced by a bigger file (rename rotation)", true, "generation 2 is longer than the first\n"],
  ])("starts over when the log is %s", async (_how, replace, second) => {
    const dir = await temp();
    const file = join(dir, "r.log");
    await writeFile(file, "first generation\n");
    const controller = new AbortController();
    const seen: string[] = [];
    const following = followFile(file, (chunk) => seen.push(chunk), {
      signal: controller.signal,
      intervalMs: 10,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await writeFile(replace ? join(dir, "next") : file, second);
    if (replace) await rename(join(dir, "next"), file);
    // Reading on from the old offset would yield only a tail of `second`, which still ends it.
    await waitUntil(async () => (seen.join("").endsWith(second) ? true : undefined), {
      timeoutMs: 2_000,
      intervalMs: 5,
      what: "the rotated log",
    });
    controller.abort();
    await following;
    expect(seen.join("")).toBe(second);
  });
});
