/**
 * One shape for every finding of an offline check: `validate` on any artifact
 * kind, mserve.yaml checks, and packaging plans. Renderers and scripts rely on
 * `rule` being stable and on `file:line:column` pointing at the cause.
 */
export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier for scripts, e.g. `manifest-missing`, `ensemble-cycle`. */
  rule: string;
  message: string;
  /** What the user can do about it. */
  hint?: string;
  /** File the finding is about, relative to what was validated. */
  file?: string;
  line?: number;
  column?: number;
  /** Inside the file: a dotted key path (`targets.triton.inputs.0`) or a YAML path. */
  path?: string;
  /** Archive entry the finding is about. */
  entry?: string;
  /** Model folder (Triton repositories hold several). */
  model?: string;
}

/** `file:line:col: ` (or less, as far as known), ready to prefix a message. */
export function diagnosticLocation(d: Pick<Diagnostic, "file" | "line" | "column">): string {
  if (!d.file) return "";
  return `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ""}: `;
}

export function countDiagnostics(diagnostics: readonly Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}
