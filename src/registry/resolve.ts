import { MserveError, usageError } from "../errors.js";
import { MODEL_NAME_PATTERN, VERSION_PATTERN } from "../model/names.js";
import { unknownAlias, unknownId, unknownModel, unknownVersion } from "./errors.js";
import { aliasKey, compareVersions } from "./names.js";
import type { ModelEntry, ModelVersion, Registry } from "./types.js";

/** A model reference as written: `intent`, `intent:3`, `intent@PROD`, the pair `intent PROD`, or `--id`. */
export type RefSpec =
  | { kind: "name"; name: string }
  | { kind: "version"; name: string; version: string }
  | { kind: "alias"; name: string; alias: string }
  | { kind: "pair"; name: string; word: string }
  | { kind: "id"; id: string };

export interface Resolved {
  name: string;
  version: string;
  /** The alias the user named, for the prediction log. */
  alias?: string;
  model: ModelVersion;
}

export function checkName(name: string): string {
  if (!MODEL_NAME_PATTERN.test(name) || name.includes("..")) {
    throw usageError(
      `invalid model name "${name}"`,
      "Names start with a letter or digit and use letters, digits, _, - and . (e.g. intent, intent:2, intent@PROD).",
    );
  }
  return name;
}

function checkWord(word: string, what: string, ref: string): string {
  if (word === "") throw usageError(`missing ${what} in "${ref}"`);
  if (!VERSION_PATTERN.test(word))
    throw usageError(
      `invalid ${what} "${word}" in "${ref}"`,
      "Versions and aliases are URL-safe: letters, digits, ., _, ~ and -.",
    );
  return word;
}

export function parseRef(text: string | undefined, second?: string, id?: string): RefSpec {
  if (id !== undefined) {
    if (text !== undefined) throw usageError("give either a model reference or --id, not both");
    if (!/^[0-9a-z]{4,32}$/.test(id))
      throw usageError(
        `invalid id "${id}"`,
        "Ids are lowercase letters and digits, as `mserve registry list <name>` prints them.",
      );
    return { kind: "id", id };
  }
  if (text === undefined)
    throw usageError("missing model reference", "For example intent, intent:3, intent@PROD or --id <id>.");
  const at = text.indexOf("@");
  const colon = text.indexOf(":");
  let spec: RefSpec;
  if (at !== -1 && (colon === -1 || at < colon)) {
    spec = {
      kind: "alias",
      name: checkName(text.slice(0, at)),
      alias: checkWord(text.slice(at + 1), "alias", text),
    };
  } else if (colon !== -1) {
    spec = {
      kind: "version",
      name: checkName(text.slice(0, colon)),
      version: checkWord(text.slice(colon + 1), "version", text),
    };
  } else {
    spec = { kind: "name", name: checkName(text) };
  }
  if (second === undefined) return spec;
  if (spec.kind !== "name") {
    const given = spec.kind === "alias" ? `@${spec.alias}` : `:${(spec as { version: string }).version}`;
    throw usageError(
      `"${text}" already names ${given.slice(1)}; drop "${second}"`,
      `Write either ${text} or ${spec.name} ${second}.`,
    );
  }
  return { kind: "pair", name: spec.name, word: checkWord(second, "version or alias", `${text} ${second}`) };
}

export const formatSpec = (spec: RefSpec): string => {
  switch (spec.kind) {
    case "id":
      return `--id ${spec.id}`;
    case "name":
      return spec.name;
    case "version":
      return `${spec.name}:${spec.version}`;
    case "alias":
      return `${spec.name}@${spec.alias}`;
    case "pair":
      return `${spec.name} ${spec.word}`;
  }
};

export const latestVersion = (entry: ModelEntry): ModelVersion | undefined =>
  [...entry.versions].sort((a, b) => compareVersions(a.version, b.version)).pop();

/** Resolves against a model already read: one read per invocation, so a batch never mixes versions. */
export function resolveInEntry(entry: ModelEntry, spec: Exclude<RefSpec, { kind: "id" }>): Resolved {
  const byVersion = (version: string) => entry.versions.find((v) => v.version === version);
  const versions = () => entry.versions.map((v) => v.version);
  const aliases = Object.keys(entry.aliases);
  const viaAlias = (written: string): Resolved => {
    // Aliases match case-insensitively: PROD and prod are one alias, shown as stored.
    const alias = aliasKey(entry.aliases, written) ?? written;
    const state = entry.aliases[alias];
    if (!state) throw unknownAlias(entry.name, written, aliases);
    const model = byVersion(state.version);
    if (!model)
      throw new MserveError(
        "INTERNAL",
        `${entry.name}@${alias} points at ${state.version}, which is not in the registry`,
      );
    return { name: entry.name, version: model.version, alias, model };
  };
  switch (spec.kind) {
    case "name": {
      const model = latestVersion(entry) as ModelVersion;
      return { name: entry.name, version: model.version, model };
    }
    case "version": {
      const model = byVersion(spec.version);
      if (!model) throw unknownVersion(entry.name, spec.version, versions());
      return { name: entry.name, version: model.version, model };
    }
    case "alias":
      return viaAlias(spec.alias);
    case "pair": {
      const key = aliasKey(entry.aliases, spec.word);
      const alias = key === undefined ? undefined : entry.aliases[key];
      const model = byVersion(spec.word);
      if (alias && model && alias.version !== model.version) {
        throw usageError(
          `"${spec.name} ${spec.word}" is ambiguous: alias ${spec.word} (→ version ${alias.version}) and version ${spec.word} both exist`,
          `Write ${spec.name}@${spec.word} for the alias or ${spec.name}:${spec.word} for the version.`,
        );
      }
      if (alias && key !== undefined) return viaAlias(key);
      if (model) return { name: entry.name, version: model.version, model };
      const close = [...new Set([...aliases, ...versions()])];
      const error = unknownVersion(entry.name, spec.word, close);
      throw new MserveError(
        "NOT_FOUND",
        `${entry.name} has no alias or version "${spec.word}" in the registry`,
        {
          hint: error.hint,
          details: error.details,
        },
      );
    }
  }
}

/** Strict resolution: every name must be in the registry (registry commands, release). */
export async function resolveRef(registry: Registry, spec: RefSpec): Promise<Resolved> {
  if (spec.kind === "id") {
    const model = await registry.findById(spec.id);
    if (!model) throw unknownId(spec.id, await knownIds(registry));
    return { name: model.name, version: model.version, model };
  }
  const entry = await registry.model(spec.name);
  if (!entry)
    throw unknownModel(
      spec.name,
      (await registry.models()).map((m) => m.name),
    );
  return resolveInEntry(entry, spec);
}

async function knownIds(registry: Registry): Promise<string[]> {
  const withIds = registry as Registry & { knownIds?: () => Promise<string[]> };
  return withIds.knownIds ? withIds.knownIds() : [];
}
