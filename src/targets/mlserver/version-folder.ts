import { join } from "node:path";
import type { VersionFolder } from "../../release/version-folder.js";

/** An MLServer version folder, `<repository>/<name>/<version>`: its files sit at the root of the registry's zip. */
export const mlserverFolder = (repository: string, name: string, version: string): VersionFolder => ({
  name,
  version,
  modelDir: join(repository, name),
  parts: [{ source: join(repository, name, version), prefix: "" }],
});
