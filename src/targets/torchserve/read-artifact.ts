import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { detectContainer } from "../../archive/detect.js";
import { type RatioLimit, type ResolvedRatio, resolveRatio } from "../../archive/extract-ratio.js";
import { sha256File } from "../../archive/hash.js";
import { readTgzEntries, walkTgz } from "../../archive/tgz-reader.js";
import { walkFiles } from "../../archive/walk.js";
import { openZip, readZipEntry } from "../../archive/zip-reader.js";
import type { ArtifactListing, ListedEntry } from "./artifact-listing.js";
import { MANIFEST_PATH } from "./manifest.js";
import { type ValidationDiagnostic, validateMarListing } from "./validate-rules.js";

/** Manifests and model configs are a few hundred bytes; anything huge is not one. */
const SMALL_FILE_LIMIT = 1 << 20;

const METHODS: Record<number, string> = { 0: "stored", 8: "deflated" };

function configName(manifestText: string | undefined): string | undefined {
  try {
    const value = (JSON.parse(manifestText ?? "") as { model?: { configFile?: unknown } }).model?.configFile;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

async function listZipArtifact(path: string, bytes: number, ratio?: ResolvedRatio): Promise<ArtifactListing> {
  const zip = await openZip(path, { ratio });
  try {
    const entries: ListedEntry[] = zip.entries.map((e) => ({
      name: e.name,
      size: e.size,
      compressedSize: e.compressedSize,
      method: METHODS[e.method] ?? `method ${e.method}`,
      isDirectory: e.isDirectory,
      isSymlink: e.isSymlink,
      encrypted: e.encrypted,
      local: e.local,
    }));
    const read = async (name: string) => {
      const entry = zip.entries.find((e) => e.name === name && !e.encrypted);
      return entry && entry.size <= SMALL_FILE_LIMIT
        ? (await readZipEntry(zip, entry, SMALL_FILE_LIMIT)).toString("utf8")
        : undefined;
    };
    const manifestText = await read(MANIFEST_PATH);
    const config = configName(manifestText);
    const configText = config ? await read(config) : undefined;
    return {
      path,
      kind: "zip",
      bytes,
      entries,
      manifestEntry: manifestText === undefined ? undefined : MANIFEST_PATH,
      manifestText,
      configText,
    };
  } finally {
    zip.close();
  }
}

/** Small files worth keeping during the listing pass: the manifest and model-config candidates. */
const isTextCandidate = (name: string) =>
  /\/MAR-INF\/MANIFEST\.json$|\.ya?ml$/.test(name) && name.split("/").length <= 3;
const MAX_CANDIDATES = 16;

async function listTgzArtifact(path: string, bytes: number, ratio?: ResolvedRatio): Promise<ArtifactListing> {
  // One gunzip pass lists entries and keeps the manifest and small YAML files, since the
  // config's name is only known once the manifest (written last) has been read.
  const entries: ListedEntry[] = [];
  const kept = new Map<string, string>();
  await walkTgz(
    path,
    async (e, data) => {
      entries.push({
        name: e.name,
        size: e.size,
        compressedSize: e.size,
        method: "gzip",
        isDirectory: e.type === "directory",
        isSymlink: e.type === "symlink" || e.type === "link",
        encrypted: false,
      });
      if (
        e.type !== "file" ||
        e.size > SMALL_FILE_LIMIT ||
        !isTextCandidate(e.name) ||
        kept.size >= MAX_CANDIDATES
      )
        return;
      const chunks: Buffer[] = [];
      for await (const chunk of data) chunks.push(chunk);
      kept.set(e.name, Buffer.concat(chunks).toString("utf8"));
    },
    { ratio },
  );
  // TorchServe strips the first folder, so the manifest lives at <folder>/MAR-INF/MANIFEST.json.
  const manifestEntry = entries.find(
    (e) => e.name.split("/").length === 3 && e.name.endsWith(`/${MANIFEST_PATH}`),
  )?.name;
  const prefix = manifestEntry?.slice(0, -MANIFEST_PATH.length) ?? "";
  const manifestText = manifestEntry ? kept.get(manifestEntry) : undefined;
  const config = configName(manifestText);
  let configText = config ? kept.get(prefix + config) : undefined;
  if (config && configText === undefined && entries.some((e) => e.name === prefix + config)) {
    configText = (await readTgzEntries(path, new Set([prefix + config]), SMALL_FILE_LIMIT))
      .get(prefix + config)
      ?.toString("utf8");
  }
  return { path, kind: "tgz", bytes, entries, manifestEntry, manifestText, configText };
}

async function listFolderArtifact(path: string): Promise<ArtifactListing> {
  // TorchServe uses a folder's only child folder when that is all it holds (reference §2.2 step 5).
  const children = await readdir(path, { withFileTypes: true });
  const only = children.length === 1 && children[0]?.isDirectory() ? join(path, children[0].name) : path;
  const entries: ListedEntry[] = [];
  let bytes = 0;
  for await (const name of walkFiles(only)) {
    const size = (await stat(join(only, name))).size;
    bytes += size;
    entries.push({
      name,
      size,
      compressedSize: size,
      method: "file",
      isDirectory: false,
      isSymlink: false,
      encrypted: false,
    });
  }
  const read = async (name: string | undefined) =>
    name && entries.some((e) => e.name === name && e.size <= SMALL_FILE_LIMIT)
      ? readFile(join(only, name), "utf8")
      : undefined;
  const manifestText = await read(MANIFEST_PATH);
  const configText = await read(configName(manifestText));
  return {
    path,
    kind: "folder",
    bytes,
    entries,
    manifestEntry: manifestText === undefined ? undefined : MANIFEST_PATH,
    manifestText,
    configText,
  };
}

/**
 * Lists any artifact (zip, tgz, folder) by content, reading only the small files it must.
 * With `ratio`, an entry compressed beyond it (a zip bomb) is refused with INVALID_INPUT.
 */
export async function readArtifact(path: string, ratio?: ResolvedRatio): Promise<ArtifactListing> {
  const { kind, bytes } = await detectContainer(path);
  if (kind === "zip") return listZipArtifact(path, bytes, ratio);
  if (kind === "tgz") return listTgzArtifact(path, bytes, ratio);
  return listFolderArtifact(path);
}

export interface InspectReport {
  path: string;
  kind: ArtifactListing["kind"];
  bytes: number;
  sha256: string | null;
  manifest: Record<string, unknown> | null;
  entries: Array<{ name: string; size: number; compressedSize: number; method: string }>;
  totalSize: number;
}

export async function inspectArtifact(input: string, cwd: string): Promise<InspectReport> {
  const path = resolve(cwd, input);
  const listing = await readArtifact(path);
  let manifest: Record<string, unknown> | null = null;
  try {
    manifest =
      listing.manifestText === undefined
        ? null
        : (JSON.parse(listing.manifestText) as Record<string, unknown>);
  } catch {
    manifest = null;
  }
  const files = listing.entries.filter((e) => !e.isDirectory);
  return {
    path,
    kind: listing.kind,
    bytes: listing.bytes,
    sha256: listing.kind === "folder" ? null : await sha256File(path),
    manifest,
    entries: files.map(({ name, size, compressedSize, method }) => ({ name, size, compressedSize, method })),
    totalSize: files.reduce((n, e) => n + e.size, 0),
  };
}

export interface ValidationResult {
  path: string;
  kind: ArtifactListing["kind"];
  valid: boolean;
  diagnostics: ValidationDiagnostic[];
}

/** Refuses (exit 3) an entry inflating beyond 100:1 above 1 MiB unless `maxCompressionRatio` raises it. */
export async function validateArtifact(
  input: string,
  cwd: string,
  options: RatioLimit = {},
): Promise<ValidationResult> {
  const path = resolve(cwd, input);
  const listing = await readArtifact(path, resolveRatio(options));
  const diagnostics = validateMarListing(listing);
  return { path, kind: listing.kind, valid: !diagnostics.some((d) => d.severity === "error"), diagnostics };
}
