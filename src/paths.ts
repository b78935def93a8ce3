import { fileURLToPath } from "node:url";

/**
 * A file shipped with mserve (templates/, schemas/, package.json), by its path
 * from the package root. Every module of the build lands directly in dist/
 * (one bundle and its chunks), and the sources sit directly in src/, so the
 * root is one level up from wherever this code runs.
 */
export const packagePath = (relative: string): string =>
  fileURLToPath(new URL(`../${relative}`, import.meta.url));
