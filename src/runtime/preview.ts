import { lines, type View } from "../ui/view.js";
import { describeChoice, type GpuSelection } from "./gpus.js";
import { shellQuote } from "./shell.js";
import type { LaunchPreview } from "./types.js";

/** What `serve --dry-run` shows for any launch: the GPU choice, the files it would write, then where and what it runs. */
export function launchPreview(
  plan: {
    runtime: "local" | "docker";
    file: string;
    args: string[];
    cwd: string;
    env?: Record<string, string>;
    files?: { path: string; content: string }[];
    urls: Record<string, string>;
  },
  gpus?: GpuSelection,
): { data: LaunchPreview; view: View } {
  const preview: LaunchPreview = {
    dryRun: true,
    runtime: plan.runtime,
    command: [plan.file, ...plan.args],
    cwd: plan.cwd,
    env: plan.env ?? {},
    files: plan.files ?? [],
    urls: plan.urls,
    ...(gpus ? { gpus: gpuSummary(gpus) } : {}),
  };
  const text = [
    ...(gpus ? [`# gpus ${gpus.note}`] : []),
    ...preview.files.map((f) => `# ${f.path}\n${f.content}`),
    `# run in ${preview.cwd}`,
    ...Object.entries(preview.env).map(([k, v]) => `export ${k}=${shellQuote([v])}`),
    shellQuote(preview.command),
  ];
  return { data: preview, view: { blocks: [lines(...text)] } };
}

/** The GPU choice as data: for dry runs, serve results and records. */
export const gpuSummary = (gpus: GpuSelection) => ({
  choice: describeChoice(gpus.choice),
  source: gpus.source,
  note: gpus.note,
});
