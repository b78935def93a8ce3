import { findProject, type PackageFlags, resolveMarInputs } from "./options.js";
import { type MarPlan, planMarArchive } from "./plan.js";

export interface PackageRequest {
  flags: PackageFlags;
  cwd: string;
  now?: Date;
}

/** Resolves inputs and plans the archive without writing anything (also `--dry-run`). */
export async function planPackage(request: PackageRequest): Promise<MarPlan> {
  const project = await findProject(request.flags, request.cwd);
  const inputs = resolveMarInputs(request.flags, project, request.cwd);
  return planMarArchive(inputs, request.now);
}
