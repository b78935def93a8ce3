import type { Severity } from "../../diagnostics.js";
import { positionOf, type SourcePosition } from "../../pbtxt/parser.js";
import type { ModelConfig } from "./config.js";

/**
 * A finding of one rule. `at` is the parsed message (or map) the finding is
 * about and `field` the field (or map key) in it, for line:column.
 */
export type Report = (
  severity: Severity,
  rule: string,
  message: string,
  hint?: string,
  where?: SourcePosition,
) => void;

export interface RuleContext {
  config: ModelConfig;
  report: Report;
  /** Triton's --disable-auto-complete-config: the config must be complete as written. */
  strict: boolean;
  /** The backend Triton resolves (backend field, platform, files or name), "" when none. */
  backend: string;
  platform: string;
  /**
   * Auto-complete is on and the backend may still fill inputs, outputs and
   * max_batch_size, so what they lack is not yet an error.
   */
  ioOpen: boolean;
}

export const at = (message: object | undefined, field: string) => positionOf(message, field);

/** A missing value the backend may fill: a note in Triton's default mode, an error with auto-complete off. */
export function missing(
  ctx: RuleContext,
  rule: string,
  message: string,
  hint?: string,
  where?: SourcePosition,
) {
  if (ctx.ioOpen)
    ctx.report(
      "note",
      rule,
      `${message}; left to the ${ctx.backend} backend's auto-complete`,
      "With --strict-model-config (Triton's --disable-auto-complete-config) this is an error.",
      where,
    );
  else ctx.report("error", rule, message, hint, where);
}

export const dimsOf = (dims: readonly (number | string)[] | undefined) => (dims ?? []).map(Number);

/** triton::common::GetElementCount: -1 when any dim is -1, 0 for no dims. */
export function elementCount(dims: readonly number[]): number {
  if (dims.includes(-1)) return -1;
  return dims.length === 0 ? 0 : dims.reduce((a, b) => a * b, 1);
}

/** triton::common::CompareDimsWithWildcard. */
export const sameDims = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === -1 || b[i] === -1 || d === b[i]);

/** "TYPE_FP32" for an enum name, or the number when the parser kept an unnamed value. */
export const typeName = (value: unknown) =>
  typeof value === "string" ? value : value === undefined ? "TYPE_INVALID" : String(value);
