import { readFileSync } from "node:fs";

/** Read once, synchronously: cheaper than importing a JSON module at start-up. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
