import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const binPath = join(repoRoot, "bin", "mserve.js");
export const fixturesDir = join(repoRoot, "fixtures");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built bin as a user would: separate process, no TTY, no colour, isolated MSERVE_HOME. */
export async function mserve(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const result = await execa("node", [binPath, ...args], {
    cwd: options.cwd,
    reject: false,
    env: { NO_COLOR: "1", CI: "1", MSERVE_HOME: join(options.cwd, ".mserve-home"), ...options.env },
    stdin: "ignore",
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh temp folder, optionally seeded with a copy of a fixture folder. */
export async function tempProject(fixture?: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "mserve-e2e-"));
  if (fixture) await cp(join(fixturesDir, fixture), dir, { recursive: true });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** stdout parsed as JSON; when it is not JSON, the error shows the exit code, stdout and stderr. */
export function json(result: CliResult) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
}
