import { rmSync } from "node:fs";

/**
 * Temp files and folders that exist only while work is in progress. If the
 * process is forced to exit (a second Ctrl-C), cli.ts removes them
 * synchronously so no partial output survives.
 */
const pending = new Set<string>();

export function registerTempPath(path: string): void {
  pending.add(path);
}

export function releaseTempPath(path: string): void {
  pending.delete(path);
}

export function cleanupTempPathsSync(): void {
  for (const path of pending) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Best effort during a forced exit: nothing else can be done here.
    }
    pending.delete(path);
  }
}
