import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerTempPath, releaseTempPath } from "../../archive/temp-paths.js";
import type { LoadedProject } from "../../config/project.js";
import { writeMarArtifact } from "./artifact.js";
import { planPackage } from "./package.js";

/**
 * `deploy` without an archive packages the project into a temp folder (the model
 * store keeps its own copy), so deploying never overwrites the user's dist/.
 */
export async function packageForDeploy(
  options: { project: LoadedProject | undefined; cwd: string; signal?: AbortSignal },
  use: (archivePath: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "mserve-deploy-"));
  registerTempPath(dir);
  try {
    const { project, cwd } = options;
    const plan = await planPackage({ flags: { exportPath: dir }, project, cwd });
    // A folder cannot be copied into the store atomically under one name; deploy a zip instead.
    if (plan.inputs.archiveFormat === "no-archive") {
      const zipped = await planPackage({
        flags: { exportPath: dir, archiveFormat: "default" },
        project,
        cwd,
      });
      await writeMarArtifact(zipped, { force: true, signal: options.signal });
      await use(zipped.outputPath);
      return;
    }
    await writeMarArtifact(plan, { force: true, signal: options.signal });
    await use(plan.outputPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
    releaseTempPath(dir);
  }
}
