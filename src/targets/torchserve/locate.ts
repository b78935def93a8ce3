import { MserveError } from "../../errors.js";
import { type Located, locateExecutable } from "../../runtime/locate.js";

export { locateJava } from "../../runtime/java.js";

export function locateTorchServe(env: NodeJS.ProcessEnv, cwd: string): Located | undefined {
  return locateExecutable("torchserve", env, cwd, "MSERVE_TORCHSERVE_BIN", "torchserve");
}

export function requireTorchServe(env: NodeJS.ProcessEnv, cwd: string): Located {
  const found = locateTorchServe(env, cwd);
  if (found) return found;
  const override = env.MSERVE_TORCHSERVE_BIN;
  throw new MserveError(
    "NOT_FOUND",
    override ? `MSERVE_TORCHSERVE_BIN is not an executable: ${override}` : "torchserve not found",
    {
      hint: "Install it with `mserve setup torchserve` (a venv under $MSERVE_HOME/runtimes), or `pip install torchserve==0.12.0 torch==2.13.0` in ./.venv, or set MSERVE_TORCHSERVE_BIN, or use --runtime docker. `mserve doctor` checks the whole set-up.",
    },
  );
}
