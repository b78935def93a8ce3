/**
 * Command-line options declared once, as plain data: commander's flags are built
 * from these specs at start-up (cli/program.ts) and the typed, checked values a
 * command receives are parsed from the same specs when it runs (cli/parse.ts).
 * Nothing here imports commander or zod, so `mserve --help` stays cheap.
 */

export type OptionKind = "string" | "boolean" | "int" | "number" | "list" | "choice";

interface BaseSpec {
  /** commander's flag syntax, e.g. "-c, --concurrency <n>" or "--no-wait". */
  flags: string;
  description: string;
  /** Value when the flag is absent (shown in --help). */
  default?: string | number | boolean | readonly string[];
  /** Left out of --help and completion (an old spelling kept for scripts). */
  hidden?: boolean;
  /** commander refuses the command without it. */
  required?: boolean;
}

export interface StringSpec extends BaseSpec {
  kind: "string";
  default?: string;
}
export interface BooleanSpec extends BaseSpec {
  kind: "boolean";
  default?: boolean;
}
/** A whole number given as text; checked against min/max with a usage error that names the flag. */
export interface IntSpec extends BaseSpec {
  kind: "int";
  min: number;
  max?: number;
  default?: number;
}
export interface NumberSpec extends BaseSpec {
  kind: "number";
  /** Exclusive lower bound. */
  above?: number;
  default?: number;
}
/** Repeatable: every use adds one value. */
export interface ListSpec extends BaseSpec {
  kind: "list";
  default?: readonly string[];
}
export interface ChoiceSpec<C extends readonly string[] = readonly string[]> extends BaseSpec {
  kind: "choice";
  choices: C;
  default?: C[number];
}

export type OptionSpec = StringSpec | BooleanSpec | IntSpec | NumberSpec | ListSpec | ChoiceSpec;
export type OptionMap = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends BooleanSpec
  ? boolean
  : S extends IntSpec | NumberSpec
    ? number
    : S extends ListSpec
      ? string[]
      : S extends ChoiceSpec<infer C>
        ? C[number]
        : string;

type HasValue<S> = S extends ListSpec
  ? true
  : S extends { default: unknown }
    ? true
    : S extends { required: true }
      ? true
      : false;

/** The typed options a command receives for an option map. */
export type OptionsOf<M extends OptionMap> = {
  -readonly [K in keyof M]: HasValue<M[K]> extends true ? ValueOf<M[K]> : ValueOf<M[K]> | undefined;
};

export interface ArgSpec {
  /** commander syntax: "<model>", "[version]" or "[files...]". */
  syntax: string;
  description: string;
  choices?: readonly string[];
  default?: string;
}

type ArgValue<A> = A extends { syntax: `<${string}...>` | `[${string}...]` }
  ? string[]
  : A extends { syntax: `<${string}>` }
    ? string
    : A extends { default: string }
      ? string
      : string | undefined;

/** Positional arguments as a tuple: required ones are strings, optional ones may be undefined. */
export type ArgsOf<A extends readonly ArgSpec[]> = { -readonly [I in keyof A]: ArgValue<A[I]> };

export interface CommandSpec<
  O extends OptionMap = OptionMap,
  A extends readonly ArgSpec[] = readonly ArgSpec[],
> {
  /** "predict", or "registry push" for a subcommand. */
  name: string;
  description: string;
  args: A;
  options: O;
  examples?: readonly string[];
  /** Without a JSON form `-o json` is refused with exit 2 before the command runs. */
  json?: false;
  /** Why there is no JSON form, for that refusal. */
  jsonHint?: string;
  /** Whether `-o` is the output format (true) or taken by nothing: unpack's old `-o DIR` is read as --dest. */
  legacyOutputDir?: string;
}

/** Keeps the literal types of a spec so that OptionsOf/ArgsOf can be computed from it. */
export function command<const O extends OptionMap, const A extends readonly ArgSpec[]>(
  spec: CommandSpec<O, A>,
): CommandSpec<O, A> {
  return spec;
}

export const arg = <
  const S extends string,
  const E extends Pick<ArgSpec, "choices" | "default"> = Record<never, never>,
>(
  syntax: S,
  description: string,
  extra?: E,
) => ({ syntax, description, ...extra }) as { syntax: S; description: string } & E;

/** Builders, so a spec reads like the flag it declares; `extra` keeps its literal type (a default, required). */
export const opt = {
  string: <const E extends Partial<StringSpec> = Record<never, never>>(
    flags: string,
    description: string,
    extra?: E,
  ) => ({ kind: "string", flags, description, ...extra }) as StringSpec & E,
  flag: <const E extends Partial<BooleanSpec> = Record<never, never>>(
    flags: string,
    description: string,
    extra?: E,
  ) => ({ kind: "boolean", flags, description, ...extra }) as BooleanSpec & E,
  /** `--no-x`: true unless the flag is given. */
  negatable: (flags: string, description: string) =>
    ({ kind: "boolean", flags, description, default: true }) as BooleanSpec & { default: boolean },
  int: <const E extends Partial<IntSpec> = Record<never, never>>(
    flags: string,
    description: string,
    min: number,
    max?: number,
    extra?: E,
  ) =>
    ({ kind: "int", flags, description, min, ...(max === undefined ? {} : { max }), ...extra }) as IntSpec &
      E,
  number: (flags: string, description: string, above?: number): NumberSpec => ({
    kind: "number",
    flags,
    description,
    ...(above === undefined ? {} : { above }),
  }),
  list: (flags: string, description: string): ListSpec => ({ kind: "list", flags, description }),
  choice: <const C extends readonly string[], const E extends Partial<ChoiceSpec<C>> = Record<never, never>>(
    flags: string,
    description: string,
    choices: C,
    extra?: E,
  ) => ({ kind: "choice", flags, description, choices, ...extra }) as ChoiceSpec<C> & E,
};

/** "--max-batch-delay <ms>" → "maxBatchDelay", "--no-wait" → "wait": the key commander stores it under. */
export function attributeName(flags: string): string {
  const long = /--([\w-]+)/.exec(flags)?.[1] ?? "";
  const name = long.startsWith("no-") ? long.slice(3) : long;
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** "--max-batch-delay" for messages. */
export function longFlag(spec: Pick<OptionSpec, "flags">): string {
  return /--[\w-]+/.exec(spec.flags)?.[0] ?? spec.flags;
}
