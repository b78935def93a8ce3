import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { Diagnostic } from "../../diagnostics.js";
import { fromFsError, invalidInput } from "../../errors.js";
import { isDirectory, isFile, pathExists } from "../../files.js";
import { positionOf } from "../../pbtxt/parser.js";
import { readModelConfig } from "./config.js";
import {
  listEntries,
  type ModelFolder,
  readModelFolder,
  scanVersions,
  selectVersions,
} from "./model-folder.js";
import { backendFieldsOf, type CheckOptions, checkConfig, ioOpenFor, modelFileNames } from "./rules.js";
import type { Report } from "./rules-context.js";
import { type Composing, checkEnsembleGraph } from "./rules-ensemble.js";

export type { TritonDiagnostic } from "./rules.js";

export type TritonPathKind = "repository" | "model" | "config";

export interface TritonValidation {
  path: string;
  kind: TritonPathKind;
  valid: boolean;
  models: string[];
  diagnostics: Diagnostic[];
}

export interface TritonValidateOptions {
  /**
   * Validate as Triton started with --disable-auto-complete-config: whatever a
   * backend could fill in (dims, data types, a missing config.pbtxt) must be
   * written, and is an error when it is not. Default: Triton's default mode,
   * where such gaps are notes.
   */
  strictModelConfig?: boolean;
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

/** Files by which Triton's autofill recognises a model folder that has no config.pbtxt. */
const MODEL_FILES = [
  "model.py",
  "model.onnx",
  "model.plan",
  "model.pt",
  "model.savedmodel",
  "model.graphdef",
  "model.xml",
];

async function looksLikeModel(dir: string): Promise<boolean> {
  if (await isFile(join(dir, "config.pbtxt"))) return true;
  const entries = await listEntries(dir);
  for (const [name, folder] of entries) {
    if (!folder || !/^[1-9][0-9]*$/.test(name)) continue;
    const inside = await listEntries(join(dir, name));
    if (MODEL_FILES.some((f) => inside.has(f))) return true;
  }
  return false;
}

/**
 * A .pbtxt file, a model folder (config.pbtxt, or a version folder holding a
 * model file Triton's autofill recognises), or a folder of those (a repository).
 */
export async function detectTriton(path: string): Promise<TritonPathKind | undefined> {
  if (path.endsWith(".pbtxt") && (await isFile(path))) return "config";
  if (!(await isDirectory(path))) return undefined;
  if (await looksLikeModel(path)) return "model";
  for (const [name, folder] of await listEntries(path))
    if (folder && (await isFile(join(path, name, "config.pbtxt")))) return "repository";
  return undefined;
}

/** What one model contributes: its own findings, and what an ensemble needs to know about it. */
interface Examined {
  diagnostics: Diagnostic[];
  /** Errors of its own: an ensemble that uses it fails too. */
  failed: boolean;
  composing?: Composing;
  /** Ensemble steps (model names), for the dependency graph. */
  steps: string[];
}

class Repository {
  private readonly folders = new Map<string, Promise<ModelFolder | undefined>>();
  private readonly examined = new Map<string, Promise<Examined | undefined>>();

  constructor(
    readonly root: string,
    /** Diagnostics' file paths are relative to this. */
    readonly base: string,
    readonly options: CheckOptions,
  ) {}

  folder(name: string): Promise<ModelFolder | undefined> {
    let found = this.folders.get(name);
    if (!found) {
      const dir = join(this.root, name);
      found = isDirectory(dir).then((yes) =>
        yes && name !== "" && !name.includes("/") ? readModelFolder(dir) : undefined,
      );
      this.folders.set(name, found);
    }
    return found;
  }

  examine(name: string): Promise<Examined | undefined> {
    let found = this.examined.get(name);
    if (!found) {
      found = this.folder(name).then((m) => (m ? examineModel(m, this) : undefined));
      this.examined.set(name, found);
    }
    return found;
  }
}

async function examineModel(model: ModelFolder, repo: Repository): Promise<Examined> {
  const file = relative(repo.base, join(model.dir, "config.pbtxt")) || "config.pbtxt";
  const diagnostics: Diagnostic[] = [];
  const strict = Boolean(repo.options.strictModelConfig);
  const push = (d: Omit<Diagnostic, "model" | "file">, where?: { line: number; column: number }) =>
    diagnostics.push({
      ...d,
      model: model.name,
      file,
      ...(where ? { line: where.line, column: where.column } : {}),
    });
  const report: Report = (severity, rule, message, hint, where) =>
    push({ severity, rule, message, ...(hint ? { hint } : {}) }, where);
  const done = (extra: Partial<Examined> = {}): Examined => ({
    diagnostics,
    failed: diagnostics.some((d) => d.severity === "error"),
    steps: [],
    ...extra,
  });
  if (model.unreadable) {
    report(
      "error",
      "config-unreadable",
      `${model.name}/config.pbtxt cannot be read (${model.unreadable})`,
      "Fix its permissions or the link it points through.",
    );
    return done();
  }
  if (model.read && !model.read.ok) {
    push({ severity: "error", rule: "config-syntax", message: model.read.message }, model.read);
    return done();
  }
  const config = model.read?.config ?? {};
  if (!model.read) {
    // core ModelRepositoryManager::InitializeModelInfo: a missing config is only allowed with autofill.
    if (strict)
      report(
        "error",
        "config-missing",
        `${model.name} has no config.pbtxt, which Triton requires with auto-complete off`,
        "Write one (mserve package --target triton does).",
      );
    else
      report(
        "note",
        "config-missing",
        `${model.name} has no config.pbtxt: Triton builds it from the model files (auto-complete)`,
        "Write one to pin inputs, outputs and batching.",
      );
  }
  if (config.name && config.name !== model.name)
    report(
      "error",
      "name-mismatch",
      `config name "${config.name}" does not match its folder "${model.name}"`,
      "Triton requires the folder name to equal the model name; rename one, or leave name out.",
      positionOf(config, "name"),
    );
  const scan = scanVersions(model.subdirs);
  for (const { folder, why } of scan.ignored)
    report(
      "warning",
      "version-folder",
      `folder "${folder}" is not a version folder Triton loads: ${why}`,
      "Name version folders 1, 2, 3, … without leading zeros.",
    );
  const selection = selectVersions(config, scan.found);
  for (const v of selection.missing)
    report(
      "warning",
      "version-policy",
      `version_policy lists version ${v}, which has no folder; Triton skips it`,
      undefined,
      positionOf(config, "version_policy"),
    );
  if (selection.versions.length === 0) {
    if (scan.found.size === 0)
      report(
        "error",
        "no-version",
        `${model.name} has no version folder`,
        `Put the model files in ${model.name}/1/ (an ensemble needs an empty 1/ too).`,
      );
    else
      report(
        "error",
        "version-policy",
        `no version is available under the version policy of ${model.name} (version folders: ${[...scan.found.keys()].join(", ")})`,
        selection.policy === "latest"
          ? "latest needs num_versions of 1 or more."
          : "List versions that have folders.",
        positionOf(config, "version_policy"),
      );
  }
  const fields = backendFieldsOf(config, {
    modelName: model.name,
    ...(model.first ? { firstVersion: model.first } : {}),
  });
  const versionDir = (v: number) => join(model.dir, scan.found.get(v) ?? String(v));
  // Python backend: model.py's own auto_complete_config may fill inputs and outputs (python_backend README).
  let pythonAutoComplete = false;
  if (fields.backend === "python" && !strict) {
    for (const v of selection.versions) {
      const source = await readFile(
        join(versionDir(v), fields.defaultModelFilename || "model.py"),
        "utf8",
      ).catch(() => "");
      if (/def\s+auto_complete_config\s*\(/.test(source)) pythonAutoComplete = true;
    }
  }
  const options: CheckOptions = {
    strictModelConfig: strict,
    modelName: model.name,
    ...(model.first ? { firstVersion: model.first } : {}),
    pythonAutoComplete,
  };
  checkConfig(config, report, options);
  const files = modelFileNames(config, fields);
  for (const v of files ? selection.versions : []) {
    const present = await Promise.all((files ?? []).map((f) => pathExists(join(versionDir(v), f))));
    if (!present.some(Boolean))
      report(
        "error",
        "model-file",
        `${model.name}/${v}/${files?.[0]} is missing`,
        config.default_model_filename
          ? "Check default_model_filename."
          : `The ${fields.backend} backend loads ${files?.join(" or ")} from each version folder it serves.`,
      );
  }
  // core src/model.cc Init: label files are read at load.
  for (const t of config.output ?? []) {
    if (t.label_filename && !(await isFile(join(model.dir, t.label_filename))))
      report(
        "error",
        "label-file",
        `label_filename ${t.label_filename} of output "${t.name}" is missing next to config.pbtxt`,
        undefined,
        positionOf(t, "label_filename"),
      );
  }
  const steps = (config.ensemble_scheduling?.step ?? []).map((s) => s.model_name ?? "").filter(Boolean);
  return done({
    steps,
    composing: {
      config,
      versions: new Set(selection.versions),
      ioOpen: ioOpenFor(fields, config.platform, options),
      decoupled: Boolean((config.model_transaction_policy as { decoupled?: boolean } | undefined)?.decoupled),
    },
  });
}

/**
 * The repository-level checks of one ensemble (core model_repository_manager.cc
 * ConnectDependencyGraph, CircularDependencyCheck, CheckNode; ensemble_utils.cc
 * ValidateEnsembleConfig): its composing models exist, load, have the
 * versions it asks for, and fit its tensors. `composingDiagnostics` collects the
 * findings of the models it pulls in (Triton loads them with it).
 */
async function checkEnsemble(
  name: string,
  own: Examined,
  repo: Repository,
  out: Diagnostic[],
  composingDiagnostics?: Diagnostic[],
) {
  const config = own.composing?.config;
  // Triton checks the graph before the ensemble's own inputs and outputs (default mode), so only
  // a config that does not describe a graph stops here.
  const broken = own.diagnostics.some((d) => d.severity === "error" && GRAPHLESS.has(d.rule));
  if (!config?.ensemble_scheduling || broken) return;
  const first = out.find((d) => d.model === name);
  const file = first?.file ?? relative(repo.base, join(repo.root, name, "config.pbtxt"));
  const report: Report = (severity, rule, message, hint, where) =>
    out.push({
      severity,
      rule,
      message,
      model: name,
      file,
      ...(hint ? { hint } : {}),
      ...(where ? { line: where.line, column: where.column } : {}),
    });
  // The dependency graph, transitively: missing models and cycles.
  const cycle = await findCycle(name, repo);
  if (cycle)
    report(
      "error",
      "ensemble-cycle",
      `circular dependency between ensembles: ${cycle.join(" -> ")}`,
      "An ensemble may not use itself, directly or through other ensembles.",
    );
  const missing: string[] = [];
  const lookups = new Map<string, Composing>();
  let blocked = Boolean(cycle);
  for (const step of new Set(own.steps)) {
    const examined = await repo.examine(step);
    if (!examined) {
      missing.push(step);
      continue;
    }
    if (composingDiagnostics && step !== name) {
      await collectComposing(step, repo, composingDiagnostics, new Set([name]));
    }
    if (examined.failed || (await dependsOnFailure(step, repo, new Set([name])))) {
      blocked = true;
      report(
        "error",
        "ensemble-model",
        `the ensemble depends on ${step}, which would fail to load (see its errors)`,
        `Fix ${step} first.`,
      );
      continue;
    }
    if (examined.composing) lookups.set(step, examined.composing);
  }
  if (missing.length > 0) {
    report(
      "error",
      "ensemble-model",
      `the ensemble uses ${missing.join(", ")}, which ${missing.length > 1 ? "are" : "is"} not in the repository`,
      "Every step's model_name must be a model folder next to the ensemble.",
    );
    blocked = true;
  }
  if (!blocked) checkEnsembleGraph(name, config, (m) => lookups.get(m), report);
}

/** Errors after which an ensemble has no graph to check. */
const GRAPHLESS = new Set([
  "config-syntax",
  "config-unreadable",
  "ensemble",
  "ensemble-backend",
  "ensemble-io",
  "ensemble-mapping",
]);

/** Depth-first over ensemble steps: the first cycle through `start`, as names. */
async function findCycle(start: string, repo: Repository): Promise<string[] | undefined> {
  const walk = async (name: string, path: string[], seen: Set<string>): Promise<string[] | undefined> => {
    const examined = await repo.examine(name);
    for (const step of new Set(examined?.steps ?? [])) {
      if (step === start) return [...path, step];
      if (seen.has(step)) continue;
      seen.add(step);
      const found = await walk(step, [...path, step], seen);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start], new Set([start]));
}

async function dependsOnFailure(name: string, repo: Repository, seen: Set<string>): Promise<boolean> {
  const examined = await repo.examine(name);
  if (!examined) return true;
  if (examined.failed) return true;
  for (const step of examined.steps) {
    if (seen.has(step)) continue;
    seen.add(step);
    if (await dependsOnFailure(step, repo, seen)) return true;
  }
  return false;
}

/** The findings of a composing model and of the models it pulls in, once each. */
async function collectComposing(name: string, repo: Repository, out: Diagnostic[], seen: Set<string>) {
  if (seen.has(name)) return;
  seen.add(name);
  const examined = await repo.examine(name);
  if (!examined) return;
  for (const d of examined.diagnostics) if (!out.includes(d)) out.push(d);
  for (const step of examined.steps) await collectComposing(step, repo, out, seen);
}

/** `mserve validate` for Triton: syntax with line:column, then the rules Triton applies when it loads. */
export async function validateTriton(
  input: string,
  cwd: string,
  options: TritonValidateOptions = {},
): Promise<TritonValidation> {
  const path = resolve(cwd, input);
  await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "path")));
  const kind = await detectTriton(path);
  if (!kind) throw invalidInput(`${path} is not a Triton config.pbtxt, model folder or model repository`);
  const check: CheckOptions = { strictModelConfig: Boolean(options.strictModelConfig) };
  const diagnostics: Diagnostic[] = [];
  let models: string[] = [];
  if (kind === "config") {
    const read = await readModelConfig(path);
    const file = basename(path);
    if (!read.ok)
      diagnostics.push({
        severity: "error",
        rule: "config-syntax",
        message: read.message,
        file,
        line: read.line,
        column: read.column,
      });
    else
      checkConfig(
        read.config,
        (severity, rule, message, hint, where) =>
          diagnostics.push({
            severity,
            rule,
            message,
            file,
            ...(hint ? { hint } : {}),
            ...(where ? { line: where.line, column: where.column } : {}),
          }),
        check,
      );
  } else if (kind === "model") {
    const repo = new Repository(dirname(path), path, check);
    const name = basename(path);
    const own = (await repo.examine(name)) as Examined;
    diagnostics.push(...own.diagnostics);
    const composing: Diagnostic[] = [];
    await checkEnsemble(name, own, repo, diagnostics, composing);
    diagnostics.push(...composing.filter((d) => d.model !== name));
    models = [name];
  } else {
    const repo = new Repository(path, path, check);
    const names = [...(await listEntries(path))]
      .filter(([, folder]) => folder)
      .map(([n]) => n)
      .sort((a, b) => a.localeCompare(b));
    models = names;
    // Models are checked concurrently (the work is mostly stat/readdir), reported in folder order.
    const perModel = await mapLimit(names, 32, async (name) => {
      const found: Diagnostic[] = [];
      if (name.startsWith(".")) {
        found.push({
          severity: "warning",
          rule: "stray-folder",
          model: name,
          message: `hidden folder "${name}" is read by Triton as a model; it fails to load in poll mode and shows up in the repository index`,
          hint: "Move it out of the repository.",
        });
        return found;
      }
      const own = (await repo.examine(name)) as Examined;
      found.push(...own.diagnostics);
      await checkEnsemble(name, own, repo, found);
      return found;
    });
    diagnostics.push(...perModel.flat());
  }
  return { path, kind, valid: !diagnostics.some((d) => d.severity === "error"), models, diagnostics };
}
