import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Diagnostic } from "../../diagnostics.js";
import { fromFsError, invalidInput } from "../../errors.js";
import { isDirectory, pathExists } from "../../files.js";
import { checkSettingsText } from "./schema.js";
import {
  fileFitsRuntime,
  type ModelSettings,
  RUNTIMES,
  type RuntimeId,
  runtimeOf,
  SETTINGS_FILE,
} from "./settings.js";

export type MlserverPathKind = "settings" | "model" | "repository";

/** Which runtimes the server being deployed to has: module names, or every one (Seldon's image). */
export interface RuntimeCheck {
  /** "the mlserver in .venv-mlserver", "server ml1", …: named in messages. */
  where: string;
  /** Whether this Python package is importable there. */
  has(module: string): boolean;
  /** How to add a missing one there. */
  installHint?: string;
}

export interface MlserverModel {
  name: string;
  version?: string;
  implementation?: string;
  /** The folder holding model-settings.json. */
  dir: string;
}

export interface MlserverValidation {
  path: string;
  kind: MlserverPathKind;
  valid: boolean;
  models: MlserverModel[];
  /** Where runtimes were checked, or why not. */
  runtimes: string;
  diagnostics: Diagnostic[];
}

/** Every model-settings.json under a folder, as MLServer's repository finds them (`**\/model-settings.json`). */
export async function findSettings(root: string, depth = 6): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, level: number) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isFile() && e.name === SETTINGS_FILE) out.push(join(dir, e.name));
      else if (e.isDirectory() && level < depth && e.name !== "__pycache__" && !e.name.startsWith("."))
        await walk(join(dir, e.name), level + 1);
    }
  };
  await walk(root, 0);
  return out;
}

/** A model-settings.json, a folder holding one (a model version), or a folder of such folders. */
export async function detectMlserver(path: string): Promise<MlserverPathKind | undefined> {
  if (basename(path) === SETTINGS_FILE) return (await pathExists(path)) ? "settings" : undefined;
  if (!(await isDirectory(path))) return undefined;
  if (await pathExists(join(path, SETTINGS_FILE))) return "model";
  return (await findSettings(path, 3)).length > 0 ? "repository" : undefined;
}

/** `model` → model.py or model/__init__.py, `pkg.mod` → pkg/mod.py, inside the model folder. */
async function moduleFile(dir: string, module: string): Promise<string | undefined> {
  const base = join(dir, ...module.split("."));
  for (const candidate of [`${base}.py`, join(base, "__init__.py")])
    if (await pathExists(candidate)) return candidate;
  return undefined;
}

function runtimeMissing(module: string, check: RuntimeCheck, report: Report) {
  if (check.has(module)) return;
  const pkg = module.replaceAll("_", "-");
  report(
    "error",
    "runtime-missing",
    `${module} is not installed on ${check.where}, so MLServer cannot load this model`,
    check.installHint
      ? check.installHint.replace("PACKAGE", `${pkg}==1.7.1`)
      : `Install ${pkg} next to mlserver.`,
  );
}

type Report = (severity: Diagnostic["severity"], rule: string, message: string, hint?: string) => void;

/** The checks MLServer's loading would trip over, for one model-settings.json. */
async function checkModel(
  file: string,
  root: string,
  check: RuntimeCheck | undefined,
  out: Diagnostic[],
): Promise<MlserverModel | undefined> {
  const dir = dirname(file);
  const shown = relative(root, file) || basename(file);
  const text = await readFile(file, "utf8").catch((error) =>
    Promise.reject(fromFsError(error, file, "settings")),
  );
  const { value, diagnostics } = await checkSettingsText(text, shown);
  out.push(...diagnostics);
  if (!value) return undefined;
  const settings = value as ModelSettings;
  const folder = basename(dir);
  const name = typeof settings.name === "string" && settings.name ? settings.name : folder;
  const version = typeof settings.parameters?.version === "string" ? settings.parameters.version : undefined;
  const report: Report = (severity, rule, message, hint) =>
    out.push({ severity, rule, message, file: shown, model: name, ...(hint ? { hint } : {}) });
  if (!settings.name)
    report("warning", "name-missing", `no "name": MLServer names this model after its folder, "${folder}"`);
  else if (settings.name !== folder && version !== folder)
    report(
      "warning",
      "name-folder",
      `"${settings.name}" is in a folder named "${folder}", neither its name nor its version`,
      "MLServer warns about it; mserve package writes NAME/VERSION/model-settings.json.",
    );
  if (!version)
    report(
      "warning",
      "version-missing",
      "no parameters.version: the model cannot be addressed by version (/v2/models/NAME/versions/V)",
      "Set parameters.version; `mserve deploy` needs it.",
    );
  const implementation = typeof settings.implementation === "string" ? settings.implementation : undefined;
  if (!implementation) return { name, ...(version ? { version } : {}), dir };
  const runtime = runtimeOf(implementation);
  if (runtime.kind === "custom") {
    const found = await moduleFile(dir, runtime.module);
    if (found) {
      const source = await readFile(found, "utf8").catch(() => "");
      if (!new RegExp(`^class\\s+${runtime.className}\\b`, "m").test(source))
        report(
          "error",
          "custom-class",
          `${relative(dir, found)} defines no class ${runtime.className}`,
          `"implementation" is module.Class: the MLModel subclass in ${relative(dir, found)}.`,
        );
    } else if (runtime.module.startsWith("mlserver_") && check)
      runtimeMissing(runtime.module.split(".")[0] as string, check, report);
    else if (!runtime.module.startsWith("mlserver_"))
      report(
        "error",
        "custom-module",
        `"implementation" is ${implementation}, but ${runtime.module.replaceAll(".", "/")}.py is not in ${folder}/`,
        "Put the module next to model-settings.json (MLServer imports it from there), or name a runtime: mlserver_sklearn.SKLearnModel, mlserver_xgboost.XGBoostModel, mlserver_lightgbm.LightGBMModel.",
      );
  } else if (check) runtimeMissing(runtime.module, check, report);
  await checkUri(settings, dir, runtime.kind === "builtin" ? runtime.id : undefined, report);
  return { name, ...(version ? { version } : {}), implementation, dir };
}

/** parameters.uri, resolved as MLServer does (relative to the settings file), must be there. */
async function checkUri(
  settings: ModelSettings,
  dir: string,
  runtime: RuntimeId | undefined,
  report: Report,
) {
  const uri = settings.parameters?.uri;
  if (typeof uri === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith("file://")) {
    report("note", "uri-remote", `parameters.uri ${uri} is not a local path; not checked`);
    return;
  }
  const path = typeof uri === "string" ? resolve(dir, uri.replace(/^file:\/\//, "")) : dir;
  if (typeof uri === "string") {
    if (!(await pathExists(path))) {
      report(
        "error",
        "uri-missing",
        `parameters.uri "${uri}" does not exist (${path})`,
        "It is resolved from the folder holding model-settings.json.",
      );
      return;
    }
    const inside = relative(dir, path);
    if (isAbsolute(uri) || inside.startsWith(`..${sep}`) || inside === "..")
      report(
        "warning",
        "uri-outside",
        `parameters.uri "${uri}" is outside the model folder`,
        "mserve deploy copies the model folder into the server's repository; a file outside it is not copied.",
      );
  }
  if (!runtime) return;
  const spec = RUNTIMES[runtime];
  if (await isDirectory(path)) {
    // A folder: the runtime looks for its well-known file names (model.joblib, model.json, …).
    const wellKnown = spec.wellKnown;
    const present = await Promise.all(wellKnown.map((f: string) => pathExists(join(path, f))));
    if (!present.some(Boolean))
      report(
        "error",
        "model-file-missing",
        `no model file for ${spec.implementation} in ${relative(dir, path) || "the model folder"} (it looks for ${wellKnown.join(", ")})`,
        'Point parameters.uri at the file, e.g. "./model.joblib".',
      );
    return;
  }
  if (runtime === "sklearn" && path.toLowerCase().endsWith(".skops"))
    report(
      "error",
      "sklearn-skops",
      `${basename(path)} is a skops file, but mlserver_sklearn 1.7.1 loads models with joblib.load`,
      "Save the model with joblib.dump (model.joblib) for MLServer's scikit-learn runtime.",
    );
  else if (!fileFitsRuntime(path, runtime))
    report(
      "warning",
      "model-file-kind",
      `${basename(path)} is not a file ${spec.implementation} usually loads (${spec.extensions.join(", ")})`,
    );
}

/**
 * `mserve validate` for MLServer: each model-settings.json against MLServer's
 * schema, then what loading it needs (its uri, its implementation, the runtime
 * installed where it will run), and across a repository no name:version twice.
 */
export async function validateMlserver(
  input: string,
  cwd: string,
  check?: RuntimeCheck,
): Promise<MlserverValidation> {
  const path = resolve(cwd, input);
  await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "path")));
  const kind = await detectMlserver(path);
  if (!kind)
    throw invalidInput(
      `${path} is not an MLServer model-settings.json, model folder or repository`,
      "mserve package --target mlserver writes NAME/VERSION/model-settings.json.",
    );
  const files =
    kind === "settings" ? [path] : kind === "model" ? [join(path, SETTINGS_FILE)] : await findSettings(path);
  const root = kind === "settings" ? dirname(path) : path;
  const diagnostics: Diagnostic[] = [];
  const models: MlserverModel[] = [];
  for (const file of files) {
    const model = await checkModel(file, root, check, diagnostics);
    if (model) models.push(model);
  }
  const seen = new Map<string, string>();
  for (const m of models) {
    const key = `${m.name}:${m.version ?? ""}`;
    const first = seen.get(key);
    if (first)
      diagnostics.push({
        severity: "error",
        rule: "duplicate-version",
        model: m.name,
        file: relative(root, join(m.dir, SETTINGS_FILE)),
        message: `${m.name}${m.version ? ` version ${m.version}` : ""} is also in ${first}`,
        hint: "MLServer loads both and keeps one; give each a different parameters.version.",
      });
    else seen.set(key, relative(root, m.dir) || ".");
  }
  return {
    path,
    kind,
    valid: !diagnostics.some((d) => d.severity === "error"),
    models,
    runtimes: check ? check.where : "not checked (no mlserver found, and no --server given)",
    diagnostics,
  };
}
