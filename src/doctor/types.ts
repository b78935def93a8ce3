import type { GpuProbe } from "../runtime/gpus.js";

/** The data `mserve doctor` reports; rendering is the command's job. */
export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** One line: the table prints it as a cell. */
  detail: string;
  fix?: string;
}

export interface ExecResult {
  /** -1 when the command could not start, timed out or was cancelled. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Why it did not run to completion (e.g. "timed out after 10s"); absent when it exited on its own. */
  failure?: string;
}

/** Runs a command and never throws, so one broken tool cannot abort the other checks. */
export type Exec = (
  file: string,
  args: string[],
  options?: { timeoutMs?: number; env?: Record<string, string> },
) => Promise<ExecResult>;

export interface DoctorEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
  exec: Exec;
  nodeVersion: string;
  /** nvidia-smi's answer, asked once per run and shared by every check that needs it (doctor/gpu.ts). */
  gpuProbe?: Promise<GpuProbe>;
}

export const pass = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: "pass",
  detail,
});

/** Why a command gave no usable answer, in a few words for the detail column. */
export function explain(result: ExecResult): string {
  if (result.failure) return result.failure;
  // The tool's own first line of complaint says more than its exit code.
  return firstLine(result.stderr) || firstLine(result.stdout) || `exited with ${result.exitCode}`;
}

export const firstLine = (text: string): string =>
  text
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean) ?? "";
