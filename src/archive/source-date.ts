import { usageError } from "../errors.js";

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org): when set, every timestamp an
 * artifact carries comes from it, so the same inputs give the same bytes on any
 * machine. A malformed value is refused rather than ignored: a build that
 * silently stops being reproducible is worse than one that fails.
 */
export function sourceDate(env: NodeJS.ProcessEnv): Date | undefined {
  const text = env.SOURCE_DATE_EPOCH;
  if (text === undefined || text === "") return undefined;
  if (!/^\d{1,12}$/.test(text))
    throw usageError(
      `SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, got "${text}"`,
      "e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)",
    );
  return new Date(Number(text) * 1000);
}

/** Entry times of the tars mserve builds for the registry: SOURCE_DATE_EPOCH, else a fixed date (only content matters). */
export const registryTarDate = (env: NodeJS.ProcessEnv): Date =>
  sourceDate(env) ?? new Date(Date.UTC(2000, 0, 1));

/** Modes as reproducible builds fix them: 644, or 755 when any execute bit was set. */
export const normalizedMode = (mode: number): number => (mode & 0o111 ? 0o100755 : 0o100644);

/**
 * A date's [year, month (0-11), day, hours, minutes, seconds]: local time, as Python's tools
 * write it, or UTC for a reproducible build (SOURCE_DATE_EPOCH), so the bytes do not depend on
 * the machine's zone.
 */
export function dateParts(date: Date, utc: boolean): [number, number, number, number, number, number] {
  return utc
    ? [
        date.getUTCFullYear(),
        date.getUTCMonth(),
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
      ]
    : [
        date.getFullYear(),
        date.getMonth(),
        date.getDate(),
        date.getHours(),
        date.getMinutes(),
        date.getSeconds(),
      ];
}
