import { readdir } from "node:fs/promises";
import { isAbsolute, join, sep } from "node:path";

/** True when the pattern has glob magic, as Python's glob.has_magic decides. */
export const hasMagic = (pattern: string) => /[*?[]/.test(pattern);

/** One path segment's pattern as a regex: `*`, `?` and `[...]` never cross `/`. */
export function segmentRegex(segment: string): RegExp {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close === -1) out += "\\[";
      else {
        let body = segment.slice(i + 1, close);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else out += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/**
 * Expands a pattern like Python's glob.glob (which torch-model-archiver uses
 * for --extra-files): relative to `cwd`, sorted, hidden names only when the
 * pattern segment itself starts with a dot.
 */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = isAbsolute(pattern);
  const segments = pattern.split(/[\\/]+/).filter((s) => s !== "");
  let bases = [absolute ? sep : ""];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of bases) {
      if (!hasMagic(segment)) {
        next.push(base ? join(base, segment) : segment);
        continue;
      }
      const regex = segmentRegex(segment);
      let names: string[];
      try {
        names = await readdir(isAbsolute(base) ? base : join(cwd, base || "."));
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (name.startsWith(".") && !segment.startsWith(".")) continue;
        if (regex.test(name)) next.push(base ? join(base, name) : name);
      }
    }
    bases = next;
  }
  return bases;
}
