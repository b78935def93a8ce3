import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { VerifyProblem, VerifyReport } from "../types.js";
import type { BlobStore } from "./blobs.js";
import { readDoc } from "./model-doc.js";

/** Leftovers younger than this may belong to a push still running; prune leaves them. */
const PRUNE_AFTER_MS = 60 * 60 * 1000;

/**
 * Re-hashes every artifact a version points at, then looks for leftovers: blobs
 * no version uses (removed versions, pushes killed before they committed),
 * temp files and id files without a version.
 */
export async function verifyFileRegistry(
  root: string,
  blobs: BlobStore,
  options: { prune?: boolean },
): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const leftovers: VerifyProblem[] = [];
  const pruned: string[] = [];
  const usedBlobs = new Set<string>();
  const usedIds = new Set<string>();
  let checked = 0;
  for (const name of (await readdir(join(root, "models")).catch(() => [] as string[])).sort()) {
    let doc: Awaited<ReturnType<typeof readDoc>>;
    try {
      doc = await readDoc(join(root, "models", name, "model.json"));
    } catch (error) {
      problems.push({
        kind: "unreadable",
        subject: name,
        message: (error as Error).message,
        fix: `restore models/${name}/model.json from a backup`,
      });
      continue;
    }
    for (const v of doc?.versions ?? []) {
      checked++;
      usedBlobs.add(v.artifact.uri);
      usedIds.add(v.id);
      const path = join(root, v.artifact.uri);
      const subject = `${v.name}:${v.version}`;
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) {
        problems.push({
          kind: "missing",
          subject,
          message: `artifact ${v.artifact.uri} is missing`,
          fix: `push the artifact again, or mserve registry rm ${subject}`,
        });
        continue;
      }
      const actual = info.size === v.artifact.size ? await blobs.hash(path) : undefined;
      if (actual !== v.artifact.sha256) {
        problems.push({
          kind: "corrupt",
          subject,
          message: `artifact ${v.artifact.uri} does not match its sha256 ${v.artifact.sha256.slice(0, 12)}… (size ${info.size}, expected ${v.artifact.size})`,
          fix: `remove ${v.artifact.uri} and push ${subject} again`,
        });
      }
    }
  }
  const leftover = async (subject: string, message: string, ageMs: number) => {
    if (options.prune && ageMs > PRUNE_AFTER_MS) {
      await rm(join(root, subject), { force: true });
      pruned.push(subject);
    } else {
      leftovers.push({
        kind: "orphan",
        subject,
        message,
        fix: options.prune
          ? "younger than 1 hour; pruned later"
          : `rm ${join(root, subject)} (or mserve registry verify --prune)`,
      });
    }
  };
  for await (const blob of blobs.walk()) {
    if (usedBlobs.has(blob.path)) continue;
    await leftover(
      blob.path,
      blob.sha256 ? "blob used by no version" : "temp file of an interrupted push",
      blob.ageMs,
    );
  }
  for (const id of await readdir(join(root, "ids")).catch(() => [] as string[])) {
    if (usedIds.has(id)) continue;
    const ageMs = await stat(join(root, "ids", id)).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    const what = await readFile(join(root, "ids", id), "utf8").catch(() => "");
    await leftover(join("ids", id), `id file of no version ${what.trim()}`, ageMs);
  }
  return { checked, problems, leftovers, pruned };
}
