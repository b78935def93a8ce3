import { existsSync, readdirSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { MserveError } from "../../errors.js";
import { isExecutable, managedRuntime } from "../../runtime/locate.js";

/** A tritonserver install: a plain binary, or the one nvidia-pytriton ships inside a venv. */
export interface TritonInstall {
  bin: string;
  /** pytriton layout: the backends and python stubs need assembling, and its bundled libraries a search path. */
  pytriton?: { root: string; libs: string; sitePackages: string };
}

function pytritonIn(venv: string): TritonInstall | undefined {
  const lib = join(venv, "lib");
  for (const python of existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith("python3")) : []) {
    const sitePackages = join(lib, python, "site-packages");
    const root = join(sitePackages, "pytriton", "tritonserver");
    const bin = join(root, "bin", "tritonserver");
    if (isExecutable(bin))
      return { bin, pytriton: { root, libs: join(sitePackages, "nvidia_pytriton.libs"), sitePackages } };
  }
  return undefined;
}

/**
 * MSERVE_TRITONSERVER_BIN, then `tritonserver` on PATH (a Triton install or
 * container), then nvidia-pytriton in ./.venv-triton, ./.venv or $VIRTUAL_ENV.
 */
export function locateTriton(env: NodeJS.ProcessEnv, cwd: string): TritonInstall | undefined {
  const explicit = env.MSERVE_TRITONSERVER_BIN;
  if (explicit) {
    const venv = resolve(dirname(explicit), "..", "..", "..", "..", "..", "..");
    const inside = pytritonIn(venv);
    return inside?.bin === resolve(explicit) ? inside : { bin: resolve(explicit) };
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, "tritonserver"))) return { bin: join(dir, "tritonserver") };
  }
  for (const venv of [
    join(cwd, ".venv-triton"),
    join(cwd, ".venv"),
    env.VIRTUAL_ENV,
    managedRuntime(env, "triton"),
  ]) {
    const found = venv ? pytritonIn(venv) : undefined;
    if (found) return found;
  }
  return undefined;
}

export function requireTriton(env: NodeJS.ProcessEnv, cwd: string): TritonInstall {
  const found = locateTriton(env, cwd);
  if (found) return found;
  throw new MserveError("NOT_FOUND", "tritonserver not found", {
    hint: "Run `mserve setup triton` (nvidia-pytriton, whose tritonserver has the Python backend), put tritonserver on PATH, set MSERVE_TRITONSERVER_BIN, or use --runtime docker.",
  });
}
