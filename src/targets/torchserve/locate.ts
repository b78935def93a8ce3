import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { MserveError } from "../../errors.js";

export interface Located {
  path: string;
  /** Where it was found, for `doctor` and error messages. */
  source: "MSERVE_TORCHSERVE_BIN" | "VIRTUAL_ENV" | "project venv" | "PATH";
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

/** Finds an executable the way `mserve serve` looks for torchserve: env override, active venv, project venv, PATH. */
export function locateExecutable(
  name: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  override?: string,
): Located | undefined {
  const overridden = override ? env[override] : undefined;
  if (overridden)
    return isExecutable(overridden) ? { path: overridden, source: "MSERVE_TORCHSERVE_BIN" } : undefined;
  if (env.VIRTUAL_ENV && isExecutable(join(env.VIRTUAL_ENV, "bin", name)))
    return { path: join(env.VIRTUAL_ENV, "bin", name), source: "VIRTUAL_ENV" };
  for (const bin of projectVenvBins(cwd))
    if (isExecutable(join(bin, name))) return { path: join(bin, name), source: "project venv" };
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return { path: join(dir, name), source: "PATH" };
  }
  return undefined;
}

export function locateTorchServe(env: NodeJS.ProcessEnv, cwd: string): Located | undefined {
  return locateExecutable("torchserve", env, cwd, "MSERVE_TORCHSERVE_BIN");
}

export function requireTorchServe(env: NodeJS.ProcessEnv, cwd: string): Located {
  const found = locateTorchServe(env, cwd);
  if (found) return found;
  const override = env.MSERVE_TORCHSERVE_BIN;
  throw new MserveError(
    "NOT_FOUND",
    override ? `MSERVE_TORCHSERVE_BIN is not an executable: ${override}` : "torchserve not found",
    {
      hint: "Install it with `pip install torchserve==0.12.0 torch==2.13.0` in a venv (./.venv is found automatically), set MSERVE_TORCHSERVE_BIN, or use --runtime docker. `mserve doctor` checks the whole set-up.",
    },
  );
}

/** Java as TorchServe's launcher finds it: $JAVA_HOME/bin/java, then PATH. */
export function locateJava(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [
    ...(env.JAVA_HOME ? [join(env.JAVA_HOME, "bin", "java")] : []),
    ...(env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, "java")),
  ];
  return candidates.find(isExecutable);
}
