import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { mserveHome } from "./home.js";

export interface Located {
  path: string;
  /** Where it was found, for `doctor` and error messages. */
  source: string;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `.venv/bin` folders from cwd up to the filesystem root: the project's venv may sit above a sub-folder. */
function projectVenvBins(cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = cwd; ; dir = dirname(dir)) {
    dirs.push(join(dir, ".venv", "bin"));
    if (dirname(dir) === dir) return dirs;
  }
}

/** A runtime `mserve setup NAME` installed: a venv under $MSERVE_HOME/runtimes/NAME. */
export const managedRuntime = (env: NodeJS.ProcessEnv, name: string) =>
  join(mserveHome(env), "runtimes", name);

/**
 * Finds an executable the way `mserve serve` looks for a server: env override,
 * active venv, project venv, the runtime `mserve setup` installed, PATH.
 */
export function locateExecutable(
  name: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  override?: string,
  runtime?: string,
): Located | undefined {
  const overridden = override ? env[override] : undefined;
  if (overridden)
    return isExecutable(overridden) ? { path: overridden, source: override as string } : undefined;
  if (env.VIRTUAL_ENV && isExecutable(join(env.VIRTUAL_ENV, "bin", name)))
    return { path: join(env.VIRTUAL_ENV, "bin", name), source: "VIRTUAL_ENV" };
  for (const bin of projectVenvBins(cwd))
    if (isExecutable(join(bin, name))) return { path: join(bin, name), source: "project venv" };
  const managed = runtime ? join(managedRuntime(env, runtime), "bin", name) : undefined;
  if (managed && isExecutable(managed)) return { path: managed, source: `mserve setup ${runtime}` };
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return { path: join(dir, name), source: "PATH" };
  }
  return undefined;
}
