import { readFileSync } from "node:fs";
import { packagePath } from "./paths.js";

/** Read once, synchronously: cheaper than importing a JSON module at start-up. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
