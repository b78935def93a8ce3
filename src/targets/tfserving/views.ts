import { relative } from "node:path";
import { lines, type View } from "../../ui/view.js";
import type { TfServingPackageResult } from "./package.js";

/** A path relative to the current folder when it is inside it, else absolute. */
export const shownPath = (cwd: string, path: string) => {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
};

export const packagedView = (result: TfServingPackageResult, shown: (path: string) => string): View => ({
  quiet: result.path,
  blocks: [
    lines(
      `${shown(result.path)}  ${result.status}`,
      `  models.config  ${shown(result.modelsConfig)}`,
      `  served         ${result.served.join(", ")}`,
      ...(Object.keys(result.labels).length
        ? [
            `  labels         ${Object.entries(result.labels)
              .map(([l, v]) => `${l}→${v}`)
              .join(" ")}`,
          ]
        : []),
    ),
  ],
});
