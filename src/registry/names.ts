import { usageError } from "../errors.js";

const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
/** MLflow reserves these (and `v<digits>`), and `latest` means "newest version" in references. */
const RESERVED = /^(latest|v\d+)$/i;

export function checkAlias(alias: string): string {
  if (!ALIAS.test(alias) || RESERVED.test(alias)) {
    throw usageError(
      `invalid alias ${JSON.stringify(alias)}`,
      "Aliases start with a letter, use letters, digits, _ and - (up to 63), and are not `latest` or `v<number>` (e.g. PROD, STG, canary).",
    );
  }
  return alias;
}

// Made on first use: creating an ICU collator costs ~5 ms, more than a command's own work.
let collator: Intl.Collator | undefined;

/** "2" < "10" < "10.1": versions sort the way people number them. */
export const compareVersions = (a: string, b: string): number => {
  collator ??= new Intl.Collator("en", { numeric: true, sensitivity: "variant" });
  return collator.compare(a, b);
};

/** Levenshtein distance, for "did you mean" lists. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** Up to three candidates close to `wanted`, nearest first. */
export function nearest(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const scored: [string, number][] = [];
  for (const c of candidates) {
    const d = editDistance(wanted, c);
    const prefix =
      c.toLowerCase().startsWith(wanted.toLowerCase()) || wanted.toLowerCase().startsWith(c.toLowerCase());
    if (d <= Math.max(2, Math.floor(wanted.length / 3)) || prefix)
      scored.push([c, prefix ? Math.min(d, 1) : d]);
  }
  return scored
    .sort((x, y) => x[1] - y[1] || compareVersions(x[0], y[0]))
    .slice(0, limit)
    .map(([c]) => c);
}

/** Who did it: CI job, user and host; stored in history, never a secret. */
export function actorName(env: NodeJS.ProcessEnv, user: string, host: string): string {
  if (env.MSERVE_ACTOR) return env.MSERVE_ACTOR;
  if (env.GITHUB_ACTIONS && env.GITHUB_ACTOR)
    return `${env.GITHUB_ACTOR} (github run ${env.GITHUB_RUN_ID ?? "?"})`;
  if (env.GITLAB_CI && env.GITLAB_USER_LOGIN)
    return `${env.GITLAB_USER_LOGIN} (gitlab job ${env.CI_JOB_ID ?? "?"})`;
  return `${user}@${host}`;
}

/** The stored key of `alias` among `aliases`, matched case-insensitively (PROD and prod are one alias). */
export function aliasKey(aliases: Record<string, unknown>, alias: string): string | undefined {
  if (Object.hasOwn(aliases, alias)) return alias;
  const wanted = alias.toLowerCase();
  return Object.keys(aliases).find((key) => key.toLowerCase() === wanted);
}
