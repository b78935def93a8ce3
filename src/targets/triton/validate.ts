import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fromFsError, invalidInput } from "../../errors.js";
import { type ConfigRead, type ModelConfig, parseModelConfig, readModelConfig } from "./config.js";
import { NON_VERSION_FOLDERS } from "./constants.js";
import { checkConfig, modelFileName, type Siblings, type TritonDiagnostic } from "./rules.js";

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

export type TritonPathKind = "repository" | "model" | "config";

export interface TritonValidation {
  path: string;
  kind: TritonPathKind;
  valid: boolean;
  models: string[];
  diagnostics: TritonDiagnostic[];
}

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** A .pbtxt file, a folder with config.pbtxt (a model), or a folder of such folders (a repository). */
export async function detectTriton(path: string): Promise<TritonPathKind | undefined> {
  if (path.endsWith(".pbtxt") && (await isFile(path))) return "config";
  if (!(await isDir(path))) return undefined;
  if (await isFile(join(path, "config.pbtxt"))) return "model";
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const e of entries)
    if (e.isDirectory() && (await isFile(join(path, e.name, "config.pbtxt")))) return "repository";
  return undefined;
}

interface ModelRead {
  name: string;
  dir: string;
  read?: ConfigRead;
  /** Why config.pbtxt could not be read (a permission, a symlink loop), when it exists but is unreadable. */
  unreadable?: string;
}

async function readModel(dir: string): Promise<ModelRead> {
  // One read instead of stat + read: a missing file is the only error that means "no config".
  let unreadable: string | undefined;
  const text = await readFile(join(dir, "config.pbtxt"), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT" && error.code !== "EISDIR")
      unreadable = `${error.code ?? "error"}: ${error.message}`;
    return undefined;
  });
  return {
    name: basename(dir),
    dir,
    ...(unreadable ? { unreadable } : {}),
    read: text === undefined ? undefined : parseModelConfig(text),
  };
}

function siblingsOf(models: ModelRead[]): Siblings {
  const map: Siblings = new Map();
  for (const m of models) {
    if (!m.read?.ok) continue;
    const names = (ts: { name?: string }[] | undefined) => (ts ?? []).map((t) => t.name ?? "");
    map.set(m.name, { inputs: names(m.read.config.input), outputs: names(m.read.config.output) });
  }
  return map;
}

async function checkModel(
  model: ModelRead,
  root: string,
  siblings: Siblings | undefined,
  out: TritonDiagnostic[],
): Promise<void> {
  const file = relative(root, join(model.dir, "config.pbtxt")) || "config.pbtxt";
  const report = (severity: TritonDiagnostic["severity"], rule: string, message: string, hint?: string) =>
    out.push({ severity, rule, message, model: model.name, file, ...(hint ? { hint } : {}) });
  if (model.unreadable) {
    report(
      "error",
      "config-unreadable",
      `${model.name}/config.pbtxt cannot be read (${model.unreadable})`,
      "Fix its permissions or the link it points through.",
    );
    return;
  }
  if (!model.read) {
    report(
      "error",
      "config-missing",
      `${model.name} has no config.pbtxt`,
      "Triton would try to guess the whole config; write one (mserve package --target triton does).",
    );
    return;
  }
  if (!model.read.ok) {
    out.push({
      severity: "error",
      rule: "config-syntax",
      message: model.read.message,
      model: model.name,
      file,
      line: model.read.line,
      column: model.read.column,
    });
    return;
  }
  const config = model.read.config;
  if (config.name && config.name !== model.name) {
    report(
      "error",
      "name-mismatch",
      `config name "${config.name}" does not match its folder "${model.name}"`,
      "Triton requires the folder name to equal the model name; rename one, or leave name out.",
    );
  }
  checkConfig(config, report, siblings);
  await checkVersions(model, config, report);
}

async function checkVersions(
  model: ModelRead,
  config: ModelConfig,
  report: (s: TritonDiagnostic["severity"], r: string, m: string, h?: string) => void,
) {
  const entries = await readdir(model.dir, { withFileTypes: true }).catch(() => []);
  const versions: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || NON_VERSION_FOLDERS.has(e.name)) continue;
    if (/^(0|[1-9][0-9]*)$/.test(e.name)) versions.push(e.name);
    else
      report(
        "warning",
        "version-folder",
        `folder "${e.name}" is not a version (versions are whole numbers without leading zeros); Triton ignores it`,
      );
  }
  if (versions.length === 0) {
    report(
      "error",
      "no-version",
      `${model.name} has no version folder`,
      `Put the model files in ${model.name}/1/ (an ensemble needs an empty 1/ too).`,
    );
    return;
  }
  const specific = (config.version_policy as { specific?: { versions?: (number | string)[] } } | undefined)
    ?.specific;
  for (const v of specific?.versions ?? []) {
    if (!versions.includes(String(v)))
      report("error", "version-policy", `version_policy lists version ${v}, which has no folder`);
  }
  const expected = config.platform === "ensemble" ? undefined : modelFileName(config);
  if (!expected) return;
  for (const v of versions) {
    const exists = await stat(join(model.dir, v, expected)).then(
      () => true,
      () => false,
    );
    if (!exists) {
      report(
        "error",
        "model-file",
        `${model.name}/${v}/${expected} is missing`,
        config.default_model_filename
          ? "Check default_model_filename."
          : `The ${config.backend ?? config.platform} backend loads ${expected} from each version folder.`,
      );
    }
  }
  for (const t of config.output ?? []) {
    if (t.label_filename && !(await isFile(join(model.dir, t.label_filename)))) {
      report(
        "error",
        "label-file",
        `label_filename ${t.label_filename} of output "${t.name}" is missing next to config.pbtxt`,
      );
    }
  }
}

/** `mserve validate` for Triton: syntax with line:column, then the rules Triton applies when it loads. */
export async function validateTriton(input: string, cwd: string): Promise<TritonValidation> {
  const path = resolve(cwd, input);
  await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "path")));
  const kind = await detectTriton(path);
  if (!kind) throw invalidInput(`${path} is not a Triton config.pbtxt, model folder or model repository`);
  const diagnostics: TritonDiagnostic[] = [];
  let models: ModelRead[];
  if (kind === "config") {
    const read = await readModelConfig(path);
    if (!read.ok) {
      diagnostics.push({
        severity: "error",
        rule: "config-syntax",
        message: read.message,
        file: basename(path),
        line: read.line,
        column: read.column,
      });
    } else {
      checkConfig(read.config, (severity, rule, message, hint) =>
        diagnostics.push({ severity, rule, message, file: basename(path), ...(hint ? { hint } : {}) }),
      );
    }
    models = [];
  } else if (kind === "model") {
    const model = await readModel(path);
    const parent = dirname(path);
    const siblings = await Promise.all(
      (await readdir(parent, { withFileTypes: true }).catch(() => []))
        .filter((e) => e.isDirectory())
        .map((e) => readModel(join(parent, e.name))),
    );
    await checkModel(model, path, siblingsOf(siblings), diagnostics);
    models = [model];
  } else {
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    models = await Promise.all(
      entries.filter((e) => e.isDirectory()).map((e) => readModel(join(path, e.name))),
    );
    const siblings = siblingsOf(models);
    // Models are checked concurrently (the work is mostly stat/readdir), reported in folder order.
    const perModel = await mapLimit(models, 32, async (model) => {
      const found: TritonDiagnostic[] = [];
      if (model.name.startsWith(".")) {
        found.push({
          severity: "warning",
          rule: "stray-folder",
          model: model.name,
          message: `hidden folder "${model.name}" is read by Triton as a model; it fails to load in poll mode and shows up in the repository index`,
          hint: "Move it out of the repository.",
        });
        return found;
      }
      await checkModel(model, path, siblings, found);
      return found;
    });
    diagnostics.push(...perModel.flat());
  }
  return {
    path,
    kind,
    valid: !diagnostics.some((d) => d.severity === "error"),
    models: models.map((m) => m.name),
    diagnostics,
  };
}
