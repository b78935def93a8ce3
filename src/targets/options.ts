import type { OptionMap, OptionSpec } from "../cli/options.js";
import { TARGETS } from "./table.js";
import type { Verb } from "./target.js";

type Descriptors = typeof TARGETS;
type Section = Verb | "connect";
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
type Declared<S extends Section> = {
  [K in keyof Descriptors]: Descriptors[K]["options"] extends { [P in S]: infer O } ? O : never;
}[keyof Descriptors];

/** The flags every target declares for a verb, merged: their types add up for the command. */
export type TargetOptionsFor<S extends Section> = [Declared<S>] extends [never]
  ? Record<never, never>
  : UnionToIntersection<Declared<S>>;

/**
 * The flags targets add to a command. Two targets may share a flag only with the
 * same syntax (e.g. both read --protocol v1|v2 or --repository <dir>); anything
 * else is a naming bug. Their help texts are joined.
 */
export function targetOptions<S extends Section>(section: S): TargetOptionsFor<S> {
  const merged: Record<string, OptionSpec> = {};
  for (const descriptor of Object.values(TARGETS)) {
    const declared = (descriptor.options as Partial<Record<Section, OptionMap>>)[section] ?? {};
    for (const [key, spec] of Object.entries(declared) as [string, OptionSpec][]) {
      const seen = merged[key];
      if (seen && seen.flags !== spec.flags)
        throw new Error(`${descriptor.id} declares ${spec.flags} where another target has ${seen.flags}`);
      // A shared flag's help names what it means for each target that reads it.
      merged[key] =
        seen && !seen.description.includes(spec.description)
          ? { ...seen, description: `${seen.description}; ${spec.description}` }
          : (seen ?? spec);
    }
  }
  return merged as TargetOptionsFor<S>;
}
