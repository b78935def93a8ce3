import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { detectContainer } from "./detect.js";
import { walkTgz } from "./tgz-reader.js";
import { walkFiles } from "./walk.js";
import { openZip } from "./zip-reader.js";

/**
 * What an artifact holds, not how it was wrapped: a sha256 over the sorted
 * (name, sha256 of content) pairs of its files. The same files give the same
 * digest whether zipped, tarred or left as a folder, whatever their times and
 * modes. TorchServe's manifest is hashed without `createdOn`, which changes on
 * every `package` run: that is what lets an unchanged re-package deploy as
 * "unchanged" (and push as "unchanged") although the archive's bytes differ.
 */
const VERSION = "mserve-content-digest-1\n";
const MANIFEST = "MAR-INF/MANIFEST.json";

export interface DigestOptions {
  /** Leading path segments to drop from every name (1 for TorchServe's .tar.gz, which TorchServe strips too). */
  strip?: number;
}

async function hashStream(data: AsyncIterable<Buffer>, name: string): Promise<string> {
  const hash = createHash("sha256");
  if (name !== MANIFEST) {
    for await (const chunk of data) hash.update(chunk);
    return hash.digest("hex");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of data) chunks.push(chunk);
  return hash.update(withoutCreatedOn(Buffer.concat(chunks))).digest("hex");
}

/** The manifest minus createdOn, re-serialised; a manifest that is not JSON is hashed as it is. */
export function withoutCreatedOn(bytes: Buffer): Buffer {
  try {
    const parsed = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const { createdOn: _, ...rest } = parsed;
      return Buffer.from(JSON.stringify(rest));
    }
  } catch {}
  return bytes;
}

const stripped = (name: string, strip: number) => name.split("/").slice(strip).join("/");

function listingDigest(files: Map<string, string>): string {
  const hash = createHash("sha256").update(VERSION);
  for (const name of [...files.keys()].sort()) hash.update(`${name}\0${files.get(name)}\n`);
  return hash.digest("hex");
}

/**
 * The digest of the tar version-tar.ts would build from `parts`, computed from
 * the files themselves: what a version folder on a server is, compared with the
 * registry's tar of it, without building one.
 */
export async function digestOfParts(parts: { source: string; prefix: string }[]): Promise<string> {
  const files = new Map<string, string>();
  for (const part of parts) {
    const info = await stat(part.source);
    const names = info.isDirectory() ? walkFiles(part.source) : single();
    for await (const file of names) {
      const path = file ? join(part.source, file) : part.source;
      const name = [part.prefix, file].filter(Boolean).join("/");
      files.set(name, await hashStream(createReadStream(path), name));
    }
  }
  return listingDigest(files);
}

async function* single(): AsyncGenerator<string> {
  yield "";
}

export async function contentDigest(path: string, options: DigestOptions = {}): Promise<string> {
  const strip = options.strip ?? 0;
  const files = new Map<string, string>();
  const add = async (raw: string, data: AsyncIterable<Buffer>) => {
    const name = stripped(raw.replace(/^\.\//, ""), strip);
    if (name) files.set(name, await hashStream(data, name));
  };
  const { kind } = await detectContainer(path);
  if (kind === "folder") {
    for await (const file of walkFiles(path)) await add(file, createReadStream(join(path, file)));
  } else if (kind === "zip") {
    const zip = await openZip(path);
    try {
      for (const entry of zip.entries)
        if (!entry.isDirectory && !entry.isSymlink) await add(entry.name, await zip.openStream(entry));
    } finally {
      zip.close();
    }
  } else {
    await walkTgz(path, async (entry, data) => {
      if (entry.kind === "file") await add(entry.name, data);
    });
  }
  return listingDigest(files);
}
