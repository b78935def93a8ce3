import { join } from "node:path";
import type { VersionFolder } from "../../release/version-folder.js";

/**
 * A Triton model version as the registry holds it: the model folder's
 * config.pbtxt and one version folder, `<version>/…` in the tar.
 */
export const tritonFolder = (repository: string, name: string, version: string): VersionFolder => ({
  name,
  version,
  modelDir: join(repository, name),
  parts: [
    { source: join(repository, name, "config.pbtxt"), prefix: "config.pbtxt" },
    { source: join(repository, name, version), prefix: version },
  ],
});
