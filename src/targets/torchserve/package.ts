import type { LoadedProject } from "../../config/project.js";
import { type PackageFlags, resolveMarInputs } from "./options.js";
import { type MarPlan, planMarArchive } from "./plan.js";

export interface PackageRequest {
  flags: PackageFlags;
  project: LoadedProject | undefined;
  cwd: string;
  now?: Date;
  /** SOURCE_DATE_EPOCH was set: `now` is it, and the archive is reproducible. */
  reproducible?: boolean;
}

/** Resolves inputs and plans the archive without writing anything (also `--dry-run`). */
export async function planPackage(request: PackageRequest): Promise<MarPlan> {
  const inputs = resolveMarInputs(request.flags, request.project, request.cwd);
  return planMarArchive(inputs, request.now, request.reproducible);
}
