import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "./cli.js";

export const venvBin = (name: string) =>
  join(process.env.MSERVE_VENV ?? join(repoRoot, ".venv"), "bin", name);

/** CI sets MSERVE_REQUIRE_REAL_SERVERS=1: then a missing real tool fails the run instead of skipping. */
export const realToolsRequired = () => process.env.MSERVE_REQUIRE_REAL_SERVERS === "1";

/**
 * For a file's preamble: when a real tool is missing (`missing` says why), throws
 * under MSERVE_REQUIRE_REAL_SERVERS=1; otherwise, when `skipping` names what the
 * file then skips, warns that it is skipped.
 */
export function requireOrSkip(missing: string | undefined, skipping?: string): void {
  if (missing && realToolsRequired()) throw new Error(`MSERVE_REQUIRE_REAL_SERVERS=1 but ${missing}`);
  if (missing && skipping) console.warn(`skipping ${skipping}: ${missing}`);
}

/** Why a venv tool cannot be used here, or undefined when it can. */
export function missingVenvTool(name: string): string | undefined {
  return existsSync(venvBin(name)) ? undefined : `${venvBin(name)} not found: run \`npm run setup:python\``;
}

/**
 * Lists an archive or folder with Python's own zipfile/tarfile readers (an
 * implementation independent of mserve's): entry name → [size, sha256], plus the manifest text.
 */
export async function pythonListing(
  path: string,
): Promise<{ entries: Record<string, [number, string]>; manifest: string }> {
  const script = `
import hashlib, json, os, sys, tarfile, zipfile
p = sys.argv[1]
out = {}
manifest = None
def add(name, data):
    global manifest
    out[name] = [len(data), hashlib.sha256(data).hexdigest()]
    if name.endswith("MAR-INF/MANIFEST.json"):
        manifest = data.decode()
if os.path.isdir(p):
    for root, _, files in os.walk(p):
        for f in files:
            full = os.path.join(root, f)
            add(os.path.relpath(full, p), open(full, "rb").read())
elif zipfile.is_zipfile(p):
    with zipfile.ZipFile(p) as z:
        assert z.testzip() is None
        for i in z.infolist():
            add(i.filename, z.read(i))
else:
    with tarfile.open(p, "r:gz") as t:
        for m in t.getmembers():
            add(m.name + ("/" if m.isdir() else ""), t.extractfile(m).read() if m.isfile() else b"")
print(json.dumps({"entries": out, "manifest": manifest}))
`;
  const { stdout } = await execa(venvBin("python"), ["-c", script, path]);
  return JSON.parse(stdout);
}
