/**
 * A Python runtime `mserve setup NAME` installs into $MSERVE_HOME/runtimes/NAME:
 * the pinned packages mserve is tested with (the repository's requirements
 * files say the same; test/unit/setup.test.ts checks they agree).
 */
export interface RuntimeSpec {
  packages: readonly string[];
  /** The repository's requirements file these pins come from. */
  requirementsFile: string;
  /** Executables the venv has afterwards (checked after the install). */
  bins: readonly string[];
  /** Python versions the pinned packages publish wheels for. */
  python: { min: readonly [number, number]; max: readonly [number, number] };
  /** What pip cannot install, checked before anything is downloaded. */
  needs?: readonly "java17"[];
  /** `${process.platform}-${process.arch}` values the packages exist for; any when absent. */
  platforms?: readonly string[];
  /** What to run next, for the summary. */
  next: string;
}
