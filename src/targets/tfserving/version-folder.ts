import { join } from "node:path";
import type { VersionFolder } from "../../release/version-folder.js";

/** A SavedModel version, `<base>/<name>/<version>`: its files sit at the root of the registry's tar. */
export const tfFolder = (base: string, name: string, version: string): VersionFolder => ({
  name,
  version,
  modelDir: join(base, name),
  parts: [{ source: join(base, name, version), prefix: "" }],
});
