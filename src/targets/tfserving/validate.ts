import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { Diagnostic } from "../../diagnostics.js";
import { fromFsError, invalidInput } from "../../errors.js";
import { isDirectory } from "../../files.js";
import { checkModelsConfig, parseModelsConfig } from "./models-config.js";
import { checkSavedModel } from "./saved-model.js";
import { type MetaGraphSummary, readSavedModelProto } from "./saved-model-proto.js";

/** Kept for callers written before the shared Diagnostic type. */
export type TfServingDiagnostic = Diagnostic;

/**
 * What `validate` and `inspect` recognise for TF Serving:
 * - "models-config": a models.config file (or a folder holding one, as `mserve package` writes);
 * - "base": a model base path (`--model_base_path`), whose numeric children are versions;
 * - "saved-model": one version folder, holding saved_model.pb.
 */
export type TfServingKind = "models-config" | "base" | "saved-model";

export interface TfServingValidation {
  path: string;
  kind: TfServingKind;
  valid: boolean;
  diagnostics: Diagnostic[];
}

const SAVED_MODEL_FILES = ["saved_model.pb", "saved_model.pbtxt", "saved_model.cpb"];
const listNames = (dir: string) => readdir(dir).catch(() => [] as string[]);
const hasSavedModel = async (dir: string) =>
  (await listNames(dir)).some((n) => SAVED_MODEL_FILES.includes(n));

/**
 * The version a child of the base path stands for, as TF Serving reads it
 * (sources/storage_path/file_system_storage_path_source.cc: absl::SimpleAtoi
 * into int64; leading zeros are fine, `v1`, `1.0` and `.tmp-3` are skipped).
 */
export function versionOf(name: string): number | undefined {
  if (!/^\s*[+-]?\d+\s*$/.test(name)) return undefined;
  const value = BigInt(name.trim());
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) return undefined;
  return Number(value);
}

/** Version folders of a base path: number → folder (a later duplicate wins, as TF Serving logs). */
async function scanBase(dir: string) {
  const versions = new Map<number, string>();
  const duplicates: string[] = [];
  const skipped: string[] = [];
  for (const name of (await listNames(dir)).sort()) {
    const version = versionOf(name);
    if (version === undefined) {
      skipped.push(name);
      continue;
    }
    const previous = versions.get(version);
    if (previous !== undefined) duplicates.push(`${previous} and ${name} are both version ${version}`);
    versions.set(version, name);
  }
  return { versions, duplicates, skipped };
}

export async function detectTfServing(path: string): Promise<TfServingKind | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile() && /\.config$/.test(path)) return "models-config";
  if (!info?.isDirectory()) return undefined;
  const names = await listNames(path);
  if (names.some((n) => SAVED_MODEL_FILES.includes(n))) return "saved-model";
  if (names.includes("models.config")) return "models-config";
  for (const name of names)
    if (versionOf(name) !== undefined && (await hasSavedModel(join(path, name)))) return "base";
  return undefined;
}

/** One SavedModel folder: files (checkSavedModel), then what the server needs from the graph. */
async function checkVersionFolder(dir: string, label: string, out: Diagnostic[]) {
  const file = label;
  try {
    await checkSavedModel(dir);
  } catch (error) {
    const e = error as Error & { hint?: string };
    out.push({
      severity: "error",
      rule: "saved-model",
      message: e.message,
      file,
      ...(e.hint ? { hint: e.hint } : {}),
    });
    return;
  }
  const pb = join(dir, "saved_model.pb");
  const graphs = await readSavedModelProto(pb).catch((error: Error) => {
    out.push({
      severity: "error",
      rule: "saved-model",
      message: `${label}/saved_model.pb cannot be read as a SavedModel (${error.message})`,
      file,
      hint: "Export again with tf.saved_model.save; the file may be truncated.",
    });
    return null;
  });
  if (!graphs) return;
  // model_servers/server.cc: --saved_model_tags defaults to "serve"; the loader wants that exact tag set.
  const served = graphs.find((g) => g.tags.length === 1 && g.tags[0] === "serve");
  if (!served) {
    out.push({
      severity: "error",
      rule: "saved-model-tags",
      message: `${label} has no MetaGraph tagged exactly "serve" (found ${graphs.map((g) => `{${g.tags.join(", ")}}`).join(", ") || "none"}); TF Serving answers "Could not find meta graph def matching supplied tags: { serve }"`,
      file,
      hint: "Export with tf.saved_model.save (it tags the graph serve), or start the server with --saved_model_tags.",
    });
    return;
  }
  if (!served.signatures.some((s) => s.key === "serving_default"))
    out.push({
      severity: "warning",
      rule: "saved-model-signature",
      message: `${label} has no serving_default signature (it has ${servingSignatures(served).join(", ") || "none"}): requests must name signature_name`,
      file,
    });
}

const servingSignatures = (g: MetaGraphSummary) =>
  g.signatures.map((s) => s.key).filter((k) => !k.startsWith("__"));

/** models.config: syntax (line:column), duplicate names, labels of versions that are not served; a base path or a SavedModel folder. */
export async function validateTfServing(input: string, cwd: string): Promise<TfServingValidation> {
  let path = resolve(cwd, input);
  await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "path")));
  const kind = (await detectTfServing(path)) ?? "models-config";
  const diagnostics: Diagnostic[] = [];
  const done = () => ({ path, kind, valid: !diagnostics.some((d) => d.severity === "error"), diagnostics });
  if (kind === "saved-model") {
    await checkVersionFolder(path, basename(path), diagnostics);
    return done();
  }
  if (kind === "base") {
    const { versions, duplicates, skipped } = await scanBase(path);
    for (const d of duplicates)
      diagnostics.push({
        severity: "warning",
        rule: "version-folder",
        message: `${d}; TF Serving keeps one of them`,
      });
    for (const name of skipped)
      if (!name.startsWith("."))
        diagnostics.push({
          severity: "note",
          rule: "version-folder",
          message: `${basename(path)}/${name} is not a version (not a whole number); TF Serving ignores it`,
        });
    for (const [, folder] of [...versions].sort((a, b) => a[0] - b[0]))
      await checkVersionFolder(join(path, folder), `${basename(path)}/${folder}`, diagnostics);
    return done();
  }
  if (await isDirectory(path)) path = join(path, "models.config");
  const read = parseModelsConfig(await readFile(path, "utf8"));
  const file = basename(path);
  if (!read.ok) {
    diagnostics.push({
      severity: "error",
      rule: "config-syntax",
      message: read.message,
      file,
      line: read.line,
      column: read.column,
    });
  } else {
    const onDisk = new Map<string, number[] | undefined>();
    for (const model of read.config.model_config_list?.config ?? []) {
      if (!model.base_path) continue;
      const names = await readdir(resolve(path, "..", model.base_path)).catch(() => undefined);
      onDisk.set(
        model.name ?? "",
        names?.map(versionOf).filter((v): v is number => v !== undefined),
      );
      if (!names)
        diagnostics.push({
          severity: "warning",
          rule: "base-path",
          message: `base_path ${model.base_path} of "${model.name}" does not exist here`,
          file,
          hint: "Fine when the config is for another machine or a container path.",
        });
    }
    for (const p of checkModelsConfig(read.config, (m) => onDisk.get(m.name ?? "")))
      diagnostics.push({ ...p, file });
  }
  return done();
}

export interface TfServingVersionReport {
  version: number;
  folder: string;
  files: number;
  bytes: number;
  variables: { index: boolean; shards: number };
  assets: boolean;
  warmup: boolean;
  fingerprint: boolean;
  /** The MetaGraphs: tags and signatures (undefined when saved_model.pb is not a binary one or too large). */
  metaGraphs?: MetaGraphSummary[];
}

export interface TfServingReport {
  path: string;
  kind: "base" | "saved-model";
  /** Versions found, lowest first; a SavedModel folder is reported as one version named after its folder. */
  versions: TfServingVersionReport[];
  /** The version TF Serving serves from a base path with its default policy (latest 1). */
  served?: number;
}

async function walkStats(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const inner = await walkStats(p);
      files += inner.files;
      bytes += inner.bytes;
    } else if (e.isFile()) {
      files++;
      bytes += (await stat(p)).size;
    }
  }
  return { files, bytes };
}

async function reportVersion(dir: string, version: number): Promise<TfServingVersionReport> {
  const names = await listNames(dir);
  const vars = await listNames(join(dir, "variables"));
  const graphs = names.includes("saved_model.pb")
    ? await readSavedModelProto(join(dir, "saved_model.pb")).catch(() => undefined)
    : undefined;
  return {
    version,
    folder: basename(dir),
    ...(await walkStats(dir)),
    variables: {
      index: vars.includes("variables.index"),
      shards: vars.filter((n) => /^variables\.data-\d{5}-of-\d{5}$/.test(n)).length,
    },
    assets: names.includes("assets"),
    warmup: (await listNames(join(dir, "assets.extra"))).includes("tf_serving_warmup_requests"),
    fingerprint: names.includes("fingerprint.pb"),
    ...(graphs ? { metaGraphs: graphs } : {}),
  };
}

/** `mserve inspect` of a base path or a SavedModel version folder: versions, files, tags and signatures. */
export async function inspectTfServing(input: string, cwd: string): Promise<TfServingReport> {
  const path = resolve(cwd, input);
  const kind = await detectTfServing(path);
  if (kind === "saved-model")
    return { path, kind, versions: [await reportVersion(path, versionOf(basename(path)) ?? 0)] };
  if (kind !== "base")
    throw invalidInput(
      `${path} is neither a TF Serving model base path nor a SavedModel folder`,
      "Pass the folder holding numbered versions (1/, 2/ …) or one version folder with saved_model.pb.",
    );
  const { versions } = await scanBase(path);
  const reports: TfServingVersionReport[] = [];
  for (const [version, folder] of [...versions].sort((a, b) => a[0] - b[0]))
    reports.push(await reportVersion(join(path, folder), version));
  const served = reports.filter((r) => r.metaGraphs !== undefined || r.files > 0).at(-1)?.version;
  return { path, kind, versions: reports, ...(served !== undefined ? { served } : {}) };
}
