import { delimiter, join } from "node:path";
import { isExecutable } from "./locate.js";

/** Java as TorchServe's launcher (and `mserve setup torchserve`) finds it: $JAVA_HOME/bin/java, then PATH. */
export function locateJava(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [
    ...(env.JAVA_HOME ? [join(env.JAVA_HOME, "bin", "java")] : []),
    ...(env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, "java")),
  ];
  return candidates.find(isExecutable);
}

/** `openjdk version "17.0.9"` → 17; `java version "1.8.0_392"` → 8; `openjdk version "21" …` → 21. */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  // Before Java 9 the major version came second: "1.8" is Java 8.
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
