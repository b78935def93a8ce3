import { MserveError } from "../../errors.js";

/** A registry folder that cannot be written is the user's to fix (exit 3), not a bug. */
export function registryFsError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new MserveError("INVALID_INPUT", `the registry folder is not writable: ${path}`, {
      hint: "Fix its permissions, or point MSERVE_HOME (or MSERVE_REGISTRY) at a writable folder. Reading still works.",
      cause: error,
    });
  }
  if (code === "ENOSPC") {
    return new MserveError("INVALID_INPUT", `no space left on device while writing ${path}`, {
      cause: error,
    });
  }
  if (code === "ENOTDIR") {
    return new MserveError("INVALID_INPUT", `a parent of the registry folder is not a folder: ${path}`, {
      hint: "Point MSERVE_HOME at a folder.",
      cause: error,
    });
  }
  return error;
}
