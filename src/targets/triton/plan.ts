import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { listZip } from "../../archive/zip-reader.js";
import type { LoadedProject } from "../../config/project.js";
import { fromFsError, invalidInput, usageError } from "../../errors.js";
import { pathExists } from "../../files.js";
import { checkModelName } from "../../model/names.js";
import { packagePath } from "../../paths.js";
import type { ModelConfig, TensorConfig } from "./config.js";
import { planEnsemble } from "./ensemble.js";
import { folderReadme } from "./folder-readme.js";
import { OnnxError, type OnnxTensor, readOnnxGraph } from "./onnx-graph.js";
import {
  type ExtraFile,
  type TensorSpec,
  type TritonSection,
  tritonSectionSchema,
} from "./project-section.js";
import { checkConfig, type TritonDiagnostic } from "./rules.js";

const TEMPLATES = packagePath("templates/triton/");

/** How the model is served: its own model.py, a native backend, a generated wrapper, or an ensemble. */
export type TritonModelKind = "python" | "native" | "wrapper" | "ensemble";

export interface TritonPackagePlan {
  name: string;
  version: string;
  repository: string;
  kind: TritonModelKind;
  config: ModelConfig;
  /** Files of the version folder: name inside it → source path. */
  files: { name: string; source: string }[];
  /** Files next to config.pbtxt: the README (generated) and the requirements it notes. */
  folderFiles: { name: string; source?: string; content?: string }[];
  diagnostics: TritonDiagnostic[];
}

export interface TritonPackageFlags {
  modelName?: string;
  version?: string;
  repository?: string;
  backend?: string;
  maxBatchSize?: number;
  pythonWrapper?: boolean;
}

const NATIVE: Record<string, { platform: string; file: string }> = {
  pytorch: { platform: "pytorch_libtorch", file: "model.pt" },
  onnxruntime: { platform: "onnxruntime_onnx", file: "model.onnx" },
  tensorflow: { platform: "tensorflow_savedmodel", file: "model.savedmodel" },
};
const WRAPPERS: Record<string, string> = {
  pytorch: "torchscript_wrapper.py",
  onnxruntime: "onnx_wrapper.py",
};

const tensors = (list: TensorSpec[]): TensorConfig[] =>
  list.map((t) => ({ name: t.name, data_type: t["data-type"], dims: t.dims }));

/** A TorchScript file is a zip with a code/ folder (torch.save's state_dicts have data.pkl only). */
async function isTorchScript(path: string): Promise<boolean> {
  try {
    const { entries } = await listZip(path);
    return entries.some((e) => /^[^/]+\/(code\/|constants\.pkl$)/.test(e.name));
  } catch {
    return false;
  }
}

const definesTritonModel = async (path: string) =>
  /^class\s+TritonPythonModel\b/m.test(await readFile(path, "utf8").catch(() => ""));

function parseSection(project: LoadedProject | undefined, flags: TritonPackageFlags): TritonSection {
  const parsed = tritonSectionSchema.safeParse({
    ...(project?.config.targets?.triton ?? {}),
    ...(flags.backend ? { backend: flags.backend } : {}),
    ...(flags.maxBatchSize !== undefined ? { "max-batch-size": flags.maxBatchSize } : {}),
    ...(flags.pythonWrapper ? { "python-wrapper": true } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw usageError(
      `targets.triton.${issue?.path.join(".")}: ${issue?.message}`,
      "See the Triton section of the README for mserve.yaml's triton keys.",
    );
  }
  return parsed.data;
}

/** The backend from what the project holds, when mserve.yaml does not name one. */
async function chooseBackend(
  section: TritonSection,
  serialized: string | undefined,
  topModelFile: string | undefined,
): Promise<string> {
  if (section.backend) return section.backend;
  if (section.steps) return "ensemble";
  if (section["model-file"]) return "python";
  if (serialized?.toLowerCase().endsWith(".onnx")) return "onnxruntime";
  if (serialized && (await isTorchScript(serialized))) return "pytorch";
  if (topModelFile && (await definesTritonModel(topModelFile))) return "python";
  throw usageError(
    "nothing in mserve.yaml says what Triton should serve",
    "Give targets.triton.model-file (your model.py, Python backend), a TorchScript or ONNX serialized-file, or ensemble steps; `mserve init --target triton --template python` writes a project to start from.",
  );
}

/**
 * ONNX inputs and outputs from the graph itself: names, Triton types, and dims
 * with symbolic sizes as -1. The model batches when every tensor's first
 * dimension is variable; the batch dimension is then left out of dims.
 */
async function onnxTensors(
  path: string,
  maxBatchSize: number | undefined,
  report: (s: TritonDiagnostic["severity"], rule: string, message: string, hint?: string) => void,
): Promise<{ input: TensorConfig[]; output: TensorConfig[]; maxBatch: number }> {
  let graph: Awaited<ReturnType<typeof readOnnxGraph>>;
  try {
    graph = await readOnnxGraph(path);
  } catch (error) {
    if (error instanceof OnnxError)
      throw invalidInput(
        `${path} is not an ONNX model: ${error.message}`,
        "Export it with torch.onnx.export.",
      );
    throw fromFsError(error, path, "ONNX model");
  }
  const all = [...graph.inputs, ...graph.outputs];
  const batchable = all.length > 0 && all.every((t) => t.shape.length > 0 && t.shape[0] === -1);
  const maxBatch = maxBatchSize ?? (batchable ? 8 : 0);
  if (maxBatch > 0 && !batchable) {
    const fixed = all.find((t) => !(t.shape.length > 0 && t.shape[0] === -1));
    report(
      "error",
      "onnx-batch",
      `max-batch-size is ${maxBatch}, but the graph's "${fixed?.name}" has shape [${fixed?.shape}], whose first dimension is not variable`,
      "Set max-batch-size: 0, or export with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={name: {0: 'batch'}})).",
    );
  }
  const toConfig = (t: OnnxTensor): TensorConfig => {
    if (!t.dataType)
      report(
        "error",
        "onnx-type",
        `"${t.name}" has ONNX element type ${t.elemType}, which Triton does not take`,
      );
    const dims = maxBatch > 0 ? t.shape.slice(1) : t.shape;
    // A [batch] tensor is one value per row: dims [1] reshaped to nothing.
    if (dims.length === 0) return { name: t.name, data_type: t.dataType, dims: [1], reshape: { shape: [] } };
    return { name: t.name, data_type: t.dataType, dims };
  };
  return { input: graph.inputs.map(toConfig), output: graph.outputs.map(toConfig), maxBatch };
}

/** Tensors given in mserve.yaml must be the graph's own: the ONNX Runtime backend refuses anything else. */
function checkAgainstGraph(
  kind: "input" | "output",
  given: TensorConfig[],
  graph: TensorConfig[],
  report: (s: TritonDiagnostic["severity"], rule: string, message: string, hint?: string) => void,
): void {
  for (const t of given) {
    const g = graph.find((x) => x.name === t.name);
    if (!g)
      report(
        "error",
        "onnx-tensor",
        `${kind} "${t.name}" is not in the ONNX graph (its ${kind}s: ${graph.map((x) => x.name).join(", ")})`,
        "Leave inputs and outputs out of mserve.yaml: mserve reads them from the graph.",
      );
    else if (g.data_type !== t.data_type)
      report(
        "error",
        "onnx-tensor",
        `${kind} "${t.name}" is ${g.data_type} in the graph, not ${t.data_type}`,
      );
  }
}

function extraFilesOf(list: (string | ExtraFile)[], base: string): { name: string; source: string }[] {
  return list.map((e) =>
    typeof e === "string"
      ? { name: basename(e.trim()), source: resolve(base, e.trim()) }
      : { name: e.as, source: resolve(base, e.file) },
  );
}

/**
 * What `package --target triton` writes: config.pbtxt from mserve.yaml's
 * triton section (or, for ONNX, the graph), the version folder's files, and a
 * README next to the config naming what the server must provide.
 */
export async function planTritonPackage(
  project: LoadedProject | undefined,
  flags: TritonPackageFlags,
  cwd: string,
): Promise<TritonPackagePlan> {
  const file = project?.config ?? {};
  const base = project?.dir ?? cwd;
  const section = parseSection(project, flags);
  const name = checkModelName(flags.modelName ?? file.name);
  const version = flags.version ?? file.version;
  if (!version || !/^[1-9][0-9]*$/.test(version)) {
    throw invalidInput(
      `Triton versions are positive whole numbers, got "${version ?? ""}"`,
      'Set version: "1" in mserve.yaml or pass -v 2.',
    );
  }
  const repository = flags.repository
    ? resolve(cwd, flags.repository)
    : resolve(base, section.repository ?? "model_repository");
  const serialized = file["serialized-file"] ? resolve(base, file["serialized-file"]) : undefined;
  const topModelFile = file["model-file"] ? resolve(base, file["model-file"]) : undefined;
  const backend = await chooseBackend(section, serialized, topModelFile);
  const diagnostics: TritonDiagnostic[] = [];
  const report = (severity: TritonDiagnostic["severity"], rule: string, message: string, hint?: string) =>
    diagnostics.push({ severity, rule, message, ...(hint ? { hint } : {}) });

  if (backend === "ensemble") {
    if (!section.steps)
      throw usageError("an ensemble needs steps in targets.triton", "List the models it runs under steps:.");
    const config = await planEnsemble(
      {
        steps: section.steps,
        inputs: section.inputs,
        outputs: section.outputs,
        maxBatchSize: section["max-batch-size"],
      },
      name,
      repository,
      report,
    );
    checkConfig(config, report);
    const readme = folderReadme({ name, kind: "ensemble", config, files: [] });
    return {
      name,
      version,
      repository,
      kind: "ensemble",
      config,
      files: [],
      folderFiles: [{ name: "README.md", content: readme }],
      diagnostics,
    };
  }

  const wrapper = Boolean(section["python-wrapper"]);
  if (wrapper && !WRAPPERS[backend])
    throw usageError(
      `--python-wrapper serves TorchScript and ONNX models, not the ${backend} backend`,
      backend === "python" ? "A Python-backend model already is a model.py." : undefined,
    );
  const kind: TritonModelKind = backend === "python" ? "python" : wrapper ? "wrapper" : "native";
  let modelPy: string | undefined;
  if (kind === "python") {
    modelPy = section["model-file"]
      ? resolve(base, section["model-file"])
      : topModelFile && (await definesTritonModel(topModelFile))
        ? topModelFile
        : undefined;
    if (!modelPy)
      throw usageError(
        "the python backend needs your model.py: set targets.triton.model-file",
        "`mserve init --target triton --template python` writes an annotated model.py to start from.",
      );
    if (!(await pathExists(modelPy))) throw fromFsError({ code: "ENOENT" }, modelPy, "model file");
    if (!(await definesTritonModel(modelPy)))
      report(
        "error",
        "python-model",
        `${basename(modelPy)} defines no class TritonPythonModel, which Triton's Python backend loads`,
        "See the model.py that `mserve init --target triton --template python` writes.",
      );
  } else if (!serialized) {
    throw usageError(
      "serialized-file is missing",
      `Set serialized-file: in mserve.yaml (the ${backend === "onnxruntime" ? "ONNX" : backend === "pytorch" ? "TorchScript" : "exported"} model).`,
    );
  }

  let maxBatch = section["max-batch-size"] ?? 8;
  let input = section.inputs ? tensors(section.inputs) : undefined;
  let output = section.outputs ? tensors(section.outputs) : undefined;
  if (backend === "onnxruntime" && serialized) {
    const graph = await onnxTensors(serialized, section["max-batch-size"], report);
    maxBatch = graph.maxBatch;
    if (input) checkAgainstGraph("input", input, graph.input, report);
    if (output) checkAgainstGraph("output", output, graph.output, report);
    input ??= graph.input;
    output ??= graph.output;
  }
  if (!input || !output) {
    throw usageError(
      `the ${backend} backend needs inputs and outputs in targets.triton`,
      backend === "pytorch"
        ? "TorchScript inputs are named INPUT__0, INPUT__1, … and outputs OUTPUT__0, … in the order forward() takes and returns them."
        : "List each tensor's name, data-type (e.g. TYPE_FP32) and dims (without the batch dimension).",
    );
  }
  const config: ModelConfig = {
    name,
    ...(kind === "native" ? { platform: NATIVE[backend]?.platform, backend } : { backend: "python" }),
    max_batch_size: maxBatch,
    input,
    output,
    instance_group: [{ kind: section["instance-kind"] ?? "KIND_CPU", count: section["instance-count"] ?? 1 }],
  };
  const batching = section["dynamic-batching"] ?? true;
  if (batching !== false && maxBatch > 0) {
    const options = typeof batching === "object" ? batching : {};
    config.dynamic_batching = {
      ...(options["preferred-batch-sizes"] ? { preferred_batch_size: options["preferred-batch-sizes"] } : {}),
      ...(options["max-queue-delay-us"] !== undefined
        ? { max_queue_delay_microseconds: options["max-queue-delay-us"] }
        : {}),
    };
  }
  if (section.parameters)
    config.parameters = Object.fromEntries(
      Object.entries(section.parameters).map(([k, v]) => [k, { string_value: v }]),
    );

  const files: { name: string; source: string }[] = [];
  if (kind === "native") {
    files.push({ name: NATIVE[backend]?.file as string, source: serialized as string });
  } else {
    if (kind === "wrapper") {
      files.push({ name: "model.py", source: resolve(TEMPLATES, WRAPPERS[backend] as string) });
      files.push({ name: NATIVE[backend]?.file as string, source: serialized as string });
    } else {
      files.push({ name: "model.py", source: modelPy as string });
      if (serialized && serialized !== modelPy)
        files.push({ name: basename(serialized), source: serialized });
    }
    const extras = section["extra-files"] ?? file["extra-files"];
    const list = Array.isArray(extras) ? extras : extras ? extras.split(",") : [];
    files.push(...extraFilesOf(list, base));
  }
  const names = files.map((f) => f.name);
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) {
    throw usageError(
      `two files would be written as ${name}/${version}/${clash}`,
      "Rename one in extra-files: { file: model.py, as: model_def.py } (the Python backend's own file is model.py).",
    );
  }
  checkConfig(config, report);

  const folderFiles: TritonPackagePlan["folderFiles"] = [];
  const requirements =
    section["requirements-file"] ?? (kind === "native" ? undefined : file["requirements-file"]);
  if (requirements) folderFiles.push({ name: "requirements.txt", source: resolve(base, requirements) });
  const requirementsText = requirements
    ? await readFile(resolve(base, requirements), "utf8").catch((error) =>
        Promise.reject(fromFsError(error, resolve(base, requirements), "requirements file")),
      )
    : undefined;
  folderFiles.unshift({
    name: "README.md",
    content: folderReadme({
      name,
      kind,
      config,
      files: files.map((f) => f.name),
      ...(kind === "wrapper" ? { framework: backend === "pytorch" ? "torch" : "onnxruntime" } : {}),
      ...(requirementsText !== undefined ? { requirements: requirementsText } : {}),
    }),
  });
  return { name, version, repository, kind, config, files, folderFiles, diagnostics };
}
