import type { Exec } from "../doctor/types.js";
import { usageError } from "../errors.js";
import { locateExecutable } from "./locate.js";

/**
 * Which GPUs a server may use, as `--gpus all|none|0,1` says. Shared by every
 * target: each turns it into its own form (docker `--gpus`, CUDA_VISIBLE_DEVICES,
 * TorchServe's number_of_gpu, Triton's instance groups).
 */
export type GpuChoice = { mode: "none" } | { mode: "all" } | { mode: "devices"; ids: number[] };

export interface GpuInfo {
  index: number;
  name: string;
  memoryMiB: number;
  driver: string;
}

/** What nvidia-smi says about this machine. */
export type GpuProbe =
  | { state: "absent" }
  | { state: "failed"; message: string; bin: string }
  | { state: "none"; message: string; bin: string }
  | { state: "ok"; gpus: GpuInfo[]; bin: string };

export interface GpuSelection {
  choice: GpuChoice;
  /** The flag said so, or mserve chose from what nvidia-smi lists. */
  source: "flag" | "default";
  /** GPUs nvidia-smi lists here (empty when it lists none or is absent). */
  detected: GpuInfo[];
  /** One line for the serve summary: what was chosen and why ("none (default: no nvidia-smi on PATH; …)"). */
  note: string;
}

export const GPU_QUERY = [
  "--query-gpu=index,name,memory.total,driver_version",
  "--format=csv,noheader,nounits",
];

/** `all`, `none`, or GPU indexes as nvidia-smi numbers them (`0`, `0,1`). */
export function parseGpuChoice(text: string, flag = "--gpus"): GpuChoice {
  const value = text.trim().toLowerCase();
  if (value === "all") return { mode: "all" };
  if (value === "none") return { mode: "none" };
  const parts = value.split(",").map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) {
    throw usageError(
      `invalid ${flag} "${text}"`,
      "Give all, none, or GPU indexes as nvidia-smi lists them (e.g. 0 or 0,1).",
    );
  }
  const ids = parts.map(Number);
  const repeated = ids.find((n, i) => ids.indexOf(n) !== i);
  if (repeated !== undefined) throw usageError(`${flag} "${text}" names GPU ${repeated} twice`);
  return { mode: "devices", ids };
}

export const describeChoice = (choice: GpuChoice): string =>
  choice.mode === "devices" ? choice.ids.join(",") : choice.mode;

/** `index, name, memory.total, driver_version` rows (csv, noheader, nounits). */
export function parseGpuCsv(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (!line) continue;
    const [index, name, memory, driver] = line.split(",").map((f) => f.trim());
    if (index === undefined || !/^\d+$/.test(index) || !name) continue;
    gpus.push({ index: Number(index), name, memoryMiB: Number(memory) || 0, driver: driver ?? "" });
  }
  return gpus;
}

/** "CUDA Version: 12.8" from nvidia-smi's banner: the newest CUDA the driver supports. */
export const parseCudaVersion = (banner: string): string | undefined =>
  /CUDA Version\s*:\s*([\d.]+)/.exec(banner)?.[1];

/** nvidia-smi on PATH, asked for each GPU; never throws. */
export async function probeGpus(exec: Exec, env: NodeJS.ProcessEnv): Promise<GpuProbe> {
  const found = locateExecutable("nvidia-smi", { PATH: env.PATH }, "/");
  if (!found) return { state: "absent" };
  const result = await exec(found.path, GPU_QUERY, { timeoutMs: 15_000 });
  const said = `${result.stdout}\n${result.stderr}`.trim();
  const gpus = result.exitCode === 0 ? parseGpuCsv(result.stdout) : [];
  if (gpus.length > 0) return { state: "ok", gpus, bin: found.path };
  // nvidia-smi exits non-zero with "No devices were found" on a machine whose driver sees no GPU.
  if (result.exitCode === 0 || /No devices were found/i.test(said))
    return { state: "none", message: firstLineOf(said) || "no GPU listed", bin: found.path };
  return {
    state: "failed",
    message: result.failure ?? (firstLineOf(said) || `exited with ${result.exitCode}`),
    bin: found.path,
  };
}

const firstLineOf = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean) ?? "";

/**
 * The flag when given, else all GPUs where nvidia-smi lists some and none
 * elsewhere. Indexes nvidia-smi does not list are refused when it lists some;
 * on a machine without GPUs an explicit choice is kept (the server then runs on CPU).
 */
export function selectGpus(flag: string | undefined, probe: GpuProbe): GpuSelection {
  const detected = probe.state === "ok" ? probe.gpus : [];
  const listed = detected.length
    ? `${detected.length} GPU(s) listed by nvidia-smi: ${summarize(detected)}`
    : probe.state === "absent"
      ? "no nvidia-smi on PATH"
      : probe.state === "ok"
        ? "nvidia-smi lists no GPU"
        : `nvidia-smi: ${probe.message}`;
  if (flag === undefined) {
    const choice: GpuChoice = detected.length ? { mode: "all" } : { mode: "none" };
    return {
      choice,
      source: "default",
      detected,
      note: `${describeChoice(choice)} (default: ${listed}; choose with --gpus)`,
    };
  }
  const choice = parseGpuChoice(flag);
  if (choice.mode === "devices" && detected.length) {
    const known = detected.map((g) => g.index);
    const missing = choice.ids.filter((id) => !known.includes(id));
    if (missing.length)
      throw usageError(
        `--gpus ${flag}: nvidia-smi lists no GPU ${missing.join(", ")}`,
        `This machine has GPU ${known.join(", ")}; give some of those, all, or none.`,
      );
  }
  const cpuOnly = choice.mode !== "none" && !detected.length ? "; the server runs on CPU here" : "";
  return {
    choice,
    source: "flag",
    detected,
    note: `${describeChoice(choice)} (--gpus; ${listed}${cpuOnly})`,
  };
}

function summarize(gpus: GpuInfo[]): string {
  const names = [...new Set(gpus.map((g) => g.name))];
  return names.map((n) => `${gpus.filter((g) => g.name === n).length}× ${n}`).join(", ");
}

/**
 * docker run's `--gpus`: `all`, or `"device=0,1"` with the double quotes as
 * part of the value: docker reads it as CSV, and unquoted `device=0,1` would
 * be two fields (`device=0` and a count of 1).
 */
export function dockerGpuArgs(choice: GpuChoice | undefined): string[] {
  if (!choice || choice.mode === "none") return [];
  if (choice.mode === "all") return ["--gpus", "all"];
  return ["--gpus", `"device=${choice.ids.join(",")}"`];
}

/**
 * CUDA_VISIBLE_DEVICES for a local process: empty hides every GPU, a list shows
 * those (renumbered from 0 inside the process), and `all` leaves the variable as
 * the user's environment has it (as does no choice at all: the server's own default).
 */
export function cudaVisibleDevices(choice: GpuChoice | undefined): Record<string, string> {
  if (!choice) return {};
  if (choice.mode === "none") return { CUDA_VISIBLE_DEVICES: "" };
  if (choice.mode === "devices") return { CUDA_VISIBLE_DEVICES: choice.ids.join(",") };
  return {};
}

/** How many GPUs the server will see: undefined for `all` when nvidia-smi listed none to count. */
export function visibleGpuCount(selection: Pick<GpuSelection, "choice" | "detected">): number | undefined {
  const { choice, detected } = selection;
  if (choice.mode === "none") return 0;
  if (choice.mode === "devices") return choice.ids.length;
  return detected.length || undefined;
}
