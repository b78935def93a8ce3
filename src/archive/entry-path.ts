/**
 * Decides whether an archive entry name can be written under a target folder.
 * Archives from elsewhere are untrusted: this is the zip-slip gate.
 */
export type EntryNameCheck = { ok: true; normalized: string } | { ok: false; reason: string };

export function checkEntryName(name: string): EntryNameCheck {
  if (name === "") return { ok: false, reason: "empty name" };
  if (name.includes("\0")) return { ok: false, reason: "NUL byte in name" };
  // Windows tools treat `\` as a separator, so `..\x` escapes on extraction there.
  if (name.includes("\\")) return { ok: false, reason: "backslash in name" };
  if (name.startsWith("/")) return { ok: false, reason: "absolute path" };
  if (/^[A-Za-z]:/.test(name)) return { ok: false, reason: "drive letter" };
  const segments = name.replace(/^(\.\/)+/, "").split("/");
  const kept: string[] = [];
  for (const [i, segment] of segments.entries()) {
    if (segment === "..") return { ok: false, reason: "'..' segment escapes the target folder" };
    if (segment === "." || (segment === "" && i === segments.length - 1)) continue;
    if (segment === "") return { ok: false, reason: "empty path segment" };
    kept.push(segment);
  }
  if (kept.length === 0) return { ok: false, reason: "name has no path segments" };
  return { ok: true, normalized: kept.join("/") };
}
