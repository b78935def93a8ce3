import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** Whether anything is at `path` (a link counts by its target). */
export const pathExists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

export const isDirectory = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

export const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * Whether two files or folders hold the same names and bytes (re-deploying the
 * same version is a no-op). `__pycache__` is left out: Python writes it next to
 * a model's code once the server imports it, so it is not part of what was deployed.
 */
export async function sameTree(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b).catch(() => undefined)]);
  if (!sb || sa.isDirectory() !== sb.isDirectory()) return false;
  if (!sa.isDirectory()) return sa.size === sb.size && (await readFile(a)).equals(await readFile(b));
  const listed = async (dir: string) => (await readdir(dir)).filter((n) => n !== "__pycache__");
  const [ea, eb] = await Promise.all([listed(a), listed(b)]);
  if (ea.length !== eb.length || ea.some((n) => !eb.includes(n))) return false;
  for (const n of ea) if (!(await sameTree(join(a, n), join(b, n)))) return false;
  return true;
}
