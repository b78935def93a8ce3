import { MserveError } from "../errors.js";
import { nearest } from "./names.js";

const didYouMean = (candidates: string[]) =>
  candidates.length ? `Did you mean ${candidates.join(", ")}?` : "";

export function unknownModel(name: string, known: string[]): MserveError {
  const close = nearest(name, known);
  return new MserveError("NOT_FOUND", `model "${name}" is not in the registry`, {
    hint: [
      didYouMean(close),
      "Push it first: mserve registry push dist/<name>.mar; see `mserve registry list`.",
    ]
      .filter(Boolean)
      .join(" "),
    details: { name, nearest: close },
  });
}

export function unknownVersion(name: string, version: string, known: string[]): MserveError {
  const close = nearest(version, known);
  return new MserveError("NOT_FOUND", `${name} has no version "${version}" in the registry`, {
    hint: [didYouMean(close.map((v) => `${name}:${v}`)), `See \`mserve registry list ${name}\`.`]
      .filter(Boolean)
      .join(" "),
    details: { name, version, nearest: close },
  });
}

export function unknownAlias(name: string, alias: string, known: string[]): MserveError {
  const close = nearest(alias, known);
  return new MserveError("NOT_FOUND", `${name} has no alias "${alias}"`, {
    hint: [
      didYouMean(close.map((a) => `${name}@${a}`)),
      known.length ? `Aliases of ${name}: ${known.join(", ")}.` : `${name} has no aliases yet.`,
      `Create one: mserve release ${name} <version> --as ${alias}`,
    ]
      .filter(Boolean)
      .join(" "),
    details: { name, alias, nearest: close },
  });
}

export function unknownId(id: string, known: string[]): MserveError {
  const close = nearest(id, known);
  return new MserveError("NOT_FOUND", `no model version has the id "${id}"`, {
    hint: [didYouMean(close), "Ids are shown by `mserve registry list <name>`."].filter(Boolean).join(" "),
    details: { id, nearest: close },
  });
}

export function noEarlierVersion(name: string, alias: string): MserveError {
  return new MserveError("NOT_FOUND", `${name}@${alias} has no earlier version to roll back to`, {
    hint: `See \`mserve registry history ${name} --alias ${alias}\`; release a version explicitly with \`mserve release\`.`,
  });
}

export function previousRemoved(name: string, previous: string, alias: string): MserveError {
  return new MserveError(
    "NOT_FOUND",
    `${name}:${previous}, the version before ${alias}'s current one, was removed`,
    {
      hint: `Release another version: mserve release ${name} <version> --as ${alias}`,
    },
  );
}

/** A version an alias points at cannot be removed: every backend refuses it the same way. */
export function refuseIfReleased(
  name: string,
  version: string,
  aliases: Record<string, { version: string }>,
): void {
  const pointing = Object.entries(aliases)
    .filter(([, a]) => a.version === version)
    .map(([a]) => a);
  if (pointing.length === 0) return;
  throw new MserveError(
    "CONFLICT",
    `${name}:${version} is released as ${pointing.join(", ")}; it cannot be removed`,
    {
      hint: `Move the alias first: mserve release ${name} <other-version> --as ${pointing[0]}`,
      details: { aliases: pointing },
    },
  );
}

/** A version is immutable: other content under a taken version is refused, naming both digests. */
export function differentContent(
  input: { name: string; version: string; sha256: string; digest?: string },
  existing: { artifact: { sha256: string; digest?: string } },
): MserveError {
  const theirs = existing.artifact.digest ?? existing.artifact.sha256;
  const ours = input.digest ?? input.sha256;
  return new MserveError(
    "CONFLICT",
    `${input.name}:${input.version} is already in the registry with different content (digest ${theirs.slice(0, 12)}…, this artifact ${ours.slice(0, 12)}…)`,
    {
      hint: "Versions are immutable: push under a new --version, or `mserve registry rm` the old one first.",
      details: { registry: theirs, artifact: ours },
    },
  );
}
