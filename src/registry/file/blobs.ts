import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { pipeline } from "node:stream/promises";
import { MserveError } from "../../errors.js";
import { nodeCrypto } from "../../lazy-builtins.js";
import { syncFolder } from "./durable.js";
import { registryFsError } from "./fs-errors.js";

const EXTENSIONS: Record<string, string> = { mar: ".mar", tgz: ".tar.gz", zip: ".zip", file: "" };

/**
 * Artifacts stored by content: `blobs/sha256/<2 hex>/<hex><ext>`. The same bytes
 * pushed twice are stored once; a blob is complete before it gets its name.
 */
export class BlobStore {
  constructor(readonly root: string) {}

  relativePath(sha256: string, format: string): string {
    return join("blobs", "sha256", sha256.slice(0, 2), `${sha256}${EXTENSIONS[format] ?? ""}`);
  }

  path(sha256: string, format: string): string {
    return join(this.root, this.relativePath(sha256, format));
  }

  /** Returns the bytes newly stored (0 when the blob was already there). */
  async put(source: string, sha256: string, format: string, signal?: AbortSignal): Promise<number> {
    const target = this.path(sha256, format);
    if (
      await stat(target).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return 0;
    const tmpDir = join(this.root, "blobs", "tmp");
    await mkdir(tmpDir, { recursive: true }).catch((error) => Promise.reject(registryFsError(error, tmpDir)));
    const temp = join(tmpDir, `${process.pid}-${nodeCrypto().randomBytes(6).toString("hex")}`);
    const hash = nodeCrypto().createHash("sha256");
    let size = 0;
    try {
      await pipeline(
        createReadStream(source, { highWaterMark: 1 << 20 }),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp, { mode: 0o444 }),
        { signal },
      );
      const handle = await open(temp, "r");
      await handle.sync().finally(() => handle.close());
      const actual = hash.digest("hex");
      if (actual !== sha256) {
        throw new MserveError("INVALID_INPUT", `${source} changed while it was being pushed`, {
          hint: "Push again once the file is no longer being written.",
        });
      }
      await mkdir(join(target, ".."), { recursive: true });
      await rename(temp, target);
      await syncFolder(join(target, ".."));
      return size;
    } catch (error) {
      await rm(temp, { force: true });
      throw registryFsError(error, temp);
    }
  }

  async hash(path: string): Promise<string> {
    const hash = nodeCrypto().createHash("sha256");
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
    return hash.digest("hex");
  }

  /** Every stored blob and leftover temp file, as registry-relative paths with their age. */
  async *walk(): AsyncGenerator<{ path: string; sha256?: string; ageMs: number }> {
    const base = join(this.root, "blobs");
    for (const dir of [
      "tmp",
      ...(await readdir(join(base, "sha256")).catch(() => [] as string[])).map((d) => join("sha256", d)),
    ]) {
      const names = await readdir(join(base, dir)).catch(() => [] as string[]);
      for (const name of names) {
        const full = join(base, dir, name);
        const info = await stat(full).catch(() => undefined);
        if (!info?.isFile()) continue;
        const sha = dir === "tmp" ? undefined : /^([0-9a-f]{64})/.exec(name)?.[1];
        yield { path: relative(this.root, full), sha256: sha, ageMs: Date.now() - info.mtimeMs };
      }
    }
  }
}
