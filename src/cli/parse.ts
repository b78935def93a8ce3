import { z } from "zod";
import { usageError } from "../errors.js";
import { attributeName, longFlag, type OptionMap, type OptionSpec, type OptionsOf } from "./options.js";

function wholeNumber(spec: OptionSpec & { kind: "int" }) {
  const flag = longFlag(spec);
  return (value: string | number | undefined) => {
    if (value === undefined) return undefined;
    const n = typeof value === "number" ? value : value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isInteger(n) || n < spec.min || (spec.max !== undefined && n > spec.max)) {
      throw usageError(
        spec.max === undefined
          ? `${flag} must be a whole number ≥ ${spec.min}, got "${value}"`
          : `${flag} must be a whole number from ${spec.min} to ${spec.max}, got "${value}"`,
      );
    }
    return n;
  };
}

function positiveNumber(spec: OptionSpec & { kind: "number" }) {
  const flag = longFlag(spec);
  return (value: string | number | undefined) => {
    if (value === undefined) return undefined;
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(n) || (spec.above !== undefined && !(n > spec.above))) {
      throw usageError(
        `${flag} must be a number${spec.above === undefined ? "" : ` above ${spec.above}`}, got "${value}"`,
      );
    }
    return n;
  };
}

function schemaFor(spec: OptionSpec): z.ZodType {
  switch (spec.kind) {
    case "string":
      return spec.default === undefined ? z.string().optional() : z.string().default(spec.default);
    case "boolean":
      return spec.default === undefined ? z.boolean().optional() : z.boolean().default(spec.default);
    case "int": {
      const check = wholeNumber(spec);
      return z
        .union([z.string(), z.number()])
        .optional()
        .transform((v) => check(v ?? spec.default));
    }
    case "number": {
      const check = positiveNumber(spec);
      return z
        .union([z.string(), z.number()])
        .optional()
        .transform((v) => check(v ?? spec.default));
    }
    case "list":
      return z.array(z.string()).default([...(spec.default ?? [])]);
    case "choice": {
      const values = spec.choices as unknown as [string, ...string[]];
      return spec.default === undefined ? z.enum(values).optional() : z.enum(values).default(spec.default);
    }
  }
}

const cache = new WeakMap<OptionMap, z.ZodType>();

/** The zod schema an option map stands for; built once per map. */
export function optionsSchema(specs: OptionMap): z.ZodType {
  let schema = cache.get(specs);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, spec] of Object.entries(specs)) {
      if (attributeName(spec.flags) !== key)
        throw new Error(`option key "${key}" does not match its flag ${spec.flags}`);
      shape[key] = schemaFor(spec);
    }
    schema = z.object(shape);
    cache.set(specs, schema);
  }
  return schema;
}

/** Checks and converts what commander collected; keys outside the map (global flags) are dropped. */
export function parseOptions<M extends OptionMap>(specs: M, raw: Record<string, unknown>): OptionsOf<M> {
  return optionsSchema(specs).parse(raw) as OptionsOf<M>;
}
