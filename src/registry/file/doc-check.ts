import {
  type AliasEvent,
  type AliasState,
  ARTIFACT_FORMATS,
  ARTIFACT_KINDS,
  type ArtifactKind,
  type ModelVersion,
} from "../types.js";

/**
 * Hand-written checks of the registry's own files. Every `predict NAME@ALIAS`
 * reads model.json, and zod alone takes ~40 ms to load: these checks cost
 * nothing to load and say what is wrong as precisely.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const HEX64 = /^[0-9a-f]{64}$/;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string";
const optionalString = (v: unknown) => v === undefined || isString(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

class Bad extends Error {}
const need = (condition: boolean, path: string, what: string) => {
  if (!condition) throw new Bad(`${path}: ${what}`);
};

function strings(value: Record<string, unknown>, path: string, keys: string[], optional: string[] = []) {
  for (const k of keys) need(isString(value[k]), `${path}.${k}`, "expected a string");
  for (const k of optional) need(optionalString(value[k]), `${path}.${k}`, "expected a string");
}

/** Versions written before kinds were recorded: a TorchServe archive, or a plain file. */
const kindOf = (target: string, kind: unknown): ArtifactKind =>
  (ARTIFACT_KINDS as readonly unknown[]).includes(kind)
    ? (kind as ArtifactKind)
    : target === "torchserve"
      ? "torchserve-archive"
      : "file";

function version(v: unknown, path: string): ModelVersion {
  need(isObject(v), path, "expected an object");
  const o = v as Record<string, unknown>;
  strings(o, path, ["id", "name", "version", "target", "createdAt", "createdBy"], ["source", "description"]);
  need(
    o.kind === undefined || (ARTIFACT_KINDS as readonly unknown[]).includes(o.kind),
    `${path}.kind`,
    "unknown kind",
  );
  need((ARTIFACT_FORMATS as readonly unknown[]).includes(o.format), `${path}.format`, "unknown format");
  const a = o.artifact;
  need(isObject(a), `${path}.artifact`, "expected an object");
  const art = a as Record<string, unknown>;
  need(isString(art.uri), `${path}.artifact.uri`, "expected a string");
  need(isString(art.sha256) && HEX64.test(art.sha256), `${path}.artifact.sha256`, "expected 64 hex digits");
  need(isCount(art.size), `${path}.artifact.size`, "expected a whole number");
  need(
    art.digest === undefined || (isString(art.digest) && HEX64.test(art.digest)),
    `${path}.artifact.digest`,
    "expected 64 hex digits",
  );
  need(
    isObject(o.tags) && Object.values(o.tags as object).every(isString),
    `${path}.tags`,
    "expected string values",
  );
  const target = o.target as string;
  return {
    id: o.id as string,
    name: o.name as string,
    version: o.version as string,
    target,
    kind: kindOf(target, o.kind),
    format: o.format as ModelVersion["format"],
    artifact: {
      uri: art.uri as string,
      sha256: art.sha256 as string,
      size: art.size as number,
      ...(art.digest ? { digest: art.digest as string } : {}),
    },
    createdAt: o.createdAt as string,
    createdBy: o.createdBy as string,
    ...(isString(o.source) ? { source: o.source } : {}),
    ...(isString(o.description) ? { description: o.description } : {}),
    tags: o.tags as Record<string, string>,
  };
}

export interface DocShape {
  schema: 1;
  name: string;
  seq: number;
  versions: ModelVersion[];
  aliases: Record<string, AliasState>;
}

export function checkDoc(value: unknown): Checked<DocShape> {
  try {
    need(isObject(value), "model.json", "expected an object");
    const o = value as Record<string, unknown>;
    need(o.schema === 1, "schema", "expected 1");
    need(isString(o.name), "name", "expected a string");
    need(isCount(o.seq), "seq", "expected a whole number");
    need(Array.isArray(o.versions), "versions", "expected an array");
    need(isObject(o.aliases), "aliases", "expected an object");
    const aliases: Record<string, AliasState> = {};
    for (const [key, a] of Object.entries(o.aliases as object)) {
      need(isObject(a), `aliases.${key}`, "expected an object");
      strings(a as Record<string, unknown>, `aliases.${key}`, ["version", "at", "by"], ["previous"]);
      const s = a as AliasState;
      aliases[key] = {
        version: s.version,
        at: s.at,
        by: s.by,
        ...(s.previous ? { previous: s.previous } : {}),
      };
    }
    return {
      ok: true,
      value: {
        schema: 1,
        name: o.name as string,
        seq: o.seq as number,
        versions: (o.versions as unknown[]).map((v, i) => version(v, `versions[${i}]`)),
        aliases,
      },
    };
  } catch (error) {
    if (error instanceof Bad) return { ok: false, message: error.message };
    throw error;
  }
}

const ACTIONS = ["push", "remove", "release", "rollback"];

/** One history line; undefined when it is not an event (a torn last line). */
export function checkEvent(value: unknown): AliasEvent | undefined {
  if (!isObject(value)) return undefined;
  const { seq, at, by, action, alias, version: v, previous, reason } = value;
  if (!Number.isInteger(seq) || (seq as number) < 1 || !isString(at) || !isString(by)) return undefined;
  if (!ACTIONS.includes(action as string)) return undefined;
  if (![alias, v, previous, reason].every(optionalString)) return undefined;
  return {
    seq: seq as number,
    at,
    by,
    action: action as AliasEvent["action"],
    ...(isString(alias) ? { alias } : {}),
    ...(isString(v) ? { version: v } : {}),
    ...(isString(previous) ? { previous } : {}),
    ...(isString(reason) ? { reason } : {}),
  };
}
