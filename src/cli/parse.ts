import { usageError } from "../errors.js";
import { longFlag, type OptionMap, type OptionSpec, type OptionsOf } from "./options.js";

/*
 * The values commander collected, checked and converted by their specs: the
 * same specs commander's flags were built from (cli/program.ts). Plain code
 * rather than a schema library: every command pays for this at start-up.
 */

function wholeNumber(spec: OptionSpec & { kind: "int" }, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = typeof value === "number" ? value : text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isInteger(n) || n < spec.min || (spec.max !== undefined && n > spec.max)) {
    const flag = longFlag(spec);
    throw usageError(
      spec.max === undefined
        ? `${flag} must be a whole number ≥ ${spec.min}, got "${text}"`
        : `${flag} must be a whole number from ${spec.min} to ${spec.max}, got "${text}"`,
    );
  }
  return n;
}

function aboveNumber(spec: OptionSpec & { kind: "number" }, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n) || (spec.above !== undefined && !(n > spec.above)))
    throw usageError(
      `${longFlag(spec)} must be a number${spec.above === undefined ? "" : ` above ${spec.above}`}, got "${String(value)}"`,
    );
  return n;
}

function optionValue(spec: OptionSpec, raw: unknown): unknown {
  const value = raw ?? spec.default;
  switch (spec.kind) {
    case "int":
      return wholeNumber(spec, value);
    case "number":
      return aboveNumber(spec, value);
    case "list":
      return Array.isArray(value) ? value.map(String) : [];
    case "boolean":
      return value === undefined ? undefined : Boolean(value);
    case "choice":
      if (value !== undefined && !spec.choices.includes(String(value)))
        throw usageError(
          `${longFlag(spec)} must be one of ${spec.choices.join(", ")}, got "${String(value)}"`,
        );
      return value;
    case "string":
      return value === undefined ? undefined : String(value);
  }
}

/** Checks and converts what commander collected; keys outside the map (global flags) are dropped. */
export function parseOptions<M extends OptionMap>(specs: M, raw: Record<string, unknown>): OptionsOf<M> {
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = optionValue(spec, raw[key]);
    if (value !== undefined) options[key] = value;
  }
  return options as OptionsOf<M>;
}
