import { existsSync, readdirSync } from "node:fs";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { MserveError } from "../../errors.js";
import { isExecutable, managedRuntime } from "../../runtime/locate.js";

/** An `mlserver` executable and, when it lives in a Python environment, that environment's site-packages. */
export interface MlserverInstall {
  bin: string;
  /** Where it was found, for doctor and messages. */
  source: string;
  /** site-packages folders of the environment the executable runs in (runtimes are looked up there). */
  sitePackages: string[];
}

/** `<prefix>/lib/python3.*\/site-packages` of the environment holding `<prefix>/bin/mlserver`. */
function sitePackagesOf(bin: string): string[] {
  const prefix = dirname(dirname(resolve(bin)));
  const lib = join(prefix, "lib");
  if (!existsSync(lib)) return [];
  return readdirSync(lib)
    .filter((d) => d.startsWith("python3"))
    .flatMap((d) => ["site-packages", "dist-packages"].map((s) => join(lib, d, s)))
    .filter((p) => existsSync(p));
}

const found = (bin: string, source: string): MlserverInstall => ({
  bin,
  source,
  sitePackages: sitePackagesOf(bin),
});

/** `.venv-mlserver/bin/mlserver` from cwd up to the root: the project's venv may sit above a sub-folder. */
function projectVenv(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const venv of [".venv-mlserver", ".venv"]) {
      const bin = join(dir, venv, "bin", "mlserver");
      if (isExecutable(bin)) return bin;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * MSERVE_MLSERVER_BIN, then the active venv ($VIRTUAL_ENV), then
 * ./.venv-mlserver (or ./.venv) here or in a folder above, then the runtime
 * `mserve setup mlserver` installed, then PATH.
 */
export function locateMlserver(env: NodeJS.ProcessEnv, cwd: string): MlserverInstall | undefined {
  const explicit = env.MSERVE_MLSERVER_BIN;
  if (explicit) return isExecutable(explicit) ? found(resolve(explicit), "MSERVE_MLSERVER_BIN") : undefined;
  if (env.VIRTUAL_ENV && isExecutable(join(env.VIRTUAL_ENV, "bin", "mlserver")))
    return found(join(env.VIRTUAL_ENV, "bin", "mlserver"), "VIRTUAL_ENV");
  const venv = projectVenv(cwd);
  if (venv) return found(venv, `project venv (${basename(dirname(dirname(venv)))})`);
  const managed = join(managedRuntime(env, "mlserver"), "bin", "mlserver");
  if (isExecutable(managed)) return found(managed, "mserve setup mlserver");
  for (const dir of (env.PATH ?? "").split(delimiter))
    if (dir && isExecutable(join(dir, "mlserver"))) return found(join(dir, "mlserver"), "PATH");
  return undefined;
}

export const INSTALL_HINT =
  "mserve setup mlserver, or python3 -m venv .venv-mlserver && .venv-mlserver/bin/pip install -r requirements-mlserver.txt (mlserver==1.7.1 mlserver-sklearn mlserver-xgboost), activate a venv that has it, or set MSERVE_MLSERVER_BIN";

export function requireMlserver(env: NodeJS.ProcessEnv, cwd: string): MlserverInstall {
  const install = locateMlserver(env, cwd);
  if (install) return install;
  throw new MserveError("NOT_FOUND", "mlserver not found", {
    hint: `${env.MSERVE_MLSERVER_BIN ? `MSERVE_MLSERVER_BIN=${env.MSERVE_MLSERVER_BIN} is not executable. ` : ""}Install it: ${INSTALL_HINT}; or use --runtime docker.`,
  });
}

/**
 * Which Python packages (runtimes) the install can import, by looking in its
 * site-packages; undefined when that cannot be told (no environment found).
 */
export function installedModules(install: MlserverInstall, modules: readonly string[]): string[] | undefined {
  if (install.sitePackages.length === 0) return undefined;
  return modules.filter((m) => install.sitePackages.some((sp) => existsSync(join(sp, m))));
}

/**
 * What `validate` and `deploy` check runtimes against: a local install's
 * site-packages, or Seldon's image (which has them all); undefined when unknown.
 */
export function runtimeCheckFor(
  install: MlserverInstall | "image" | undefined,
  where: string,
): import("./validate.js").RuntimeCheck | undefined {
  if (install === "image") return { where: `${where} (Seldon's image, every runtime)`, has: () => true };
  if (!install || install.sitePackages.length === 0) return undefined;
  return {
    where: `${where} (${install.bin})`,
    has: (module) => (installedModules(install, [module]) ?? []).length > 0,
    installHint: `${join(dirname(install.bin), "pip")} install PACKAGE`,
  };
}
