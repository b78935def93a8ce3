import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { expect } from "vitest";

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

/** Expects `mserve …args` to have exited 0, with the command line and its output as the message. */
export function expectOk(result: CliResult, args: string[]): CliResult {
  expect(result.exitCode, `mserve ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

/**
 * `run(...args)` runs mserve with the options `options()` gives at the time of
 * the call (so a `dir` set later in beforeAll is seen); `ok(...args)` also
 * expects exit 0 (expectOk).
 */
export function cliIn(options: () => { cwd: string; env?: Record<string, string> }) {
  const run = (...args: string[]) => mserve(args, options());
  const ok = async (...args: string[]) => expectOk(await run(...args), args);
  return { run, ok };
}

/**
 * For afterAll, once the project folder was made (`dir` set): stops the servers
 * started in it with the file's own `run("stop", "--all")`, then removes it.
 */
export async function stopAllAndCleanup(
  dir: string | undefined,
  run: (...args: string[]) => Promise<CliResult>,
  cleanup: () => Promise<void>,
): Promise<void> {
  if (!dir) return;
  await run("stop", "--all");
  await cleanup();
}
