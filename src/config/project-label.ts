import type { LoadedProject } from "./project.js";

/**
 * `serialized-file (mserve.yaml:5:18)`: how a message names a value the project file set.
 * Apart from project.ts so that naming a key does not load the YAML parser.
 */
export function projectKeyLabel(project: LoadedProject, key: string): string {
  const at = project.positions?.[key];
  const name = project.file.split(/[\\/]/).pop();
  return `${key.split(".").pop()} (${name}${at ? `:${at.line}:${at.column}` : ""})`;
}
