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
