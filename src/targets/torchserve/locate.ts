import { delimiter, join } from "node:path";
import { MserveError } from "../../errors.js";
import { isExecutable, type Located, locateExecutable } from "../../runtime/locate.js";

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
