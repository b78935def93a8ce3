import type { ModelConfig, TensorConfig } from "./config.js";
import { BACKENDS, PLATFORM_FILES, UNSUPPORTED_TYPES } from "./constants.js";

export interface TritonDiagnostic {
  severity: "error" | "warning";
  rule: string;
  message: string;
  hint?: string;
  /** Model folder the problem belongs to. */
  model?: string;
  /** Path relative to what was validated, with line:column for syntax errors. */
  file?: string;
  line?: number;
  column?: number;
}

export type Report = (
  severity: TritonDiagnostic["severity"],
  rule: string,
  message: string,
  hint?: string,
) => void;

/** What other models of the repository offer, for ensemble checks. */
export type Siblings = Map<string, { inputs: string[]; outputs: string[] }>;

const dimsOf = (t: TensorConfig) => (t.dims ?? []).map(Number);
const elementCount = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** The file Triton loads from each version folder. */
export function modelFileName(config: ModelConfig): string | undefined {
  if (config.default_model_filename) return config.default_model_filename;
  if (config.platform && PLATFORM_FILES[config.platform]) return PLATFORM_FILES[config.platform];
  if (config.backend) return BACKENDS[config.backend]?.defaultFile ?? `model.${config.backend}`;
  return undefined;
}

function checkBackend(config: ModelConfig, report: Report): void {
  const { platform, backend } = config;
  if (platform === "ensemble") {
    if (backend)
      report(
        "error",
        "ensemble-backend",
        `an ensemble must not set backend (got "${backend}")`,
        "Remove the backend line.",
      );
    return;
  }
  if (!platform && !backend) {
    report(
      "warning",
      "no-backend",
      "neither platform nor backend is set; Triton guesses it from the model files",
      'Set backend explicitly, e.g. backend: "python".',
    );
    return;
  }
  const known = backend ? BACKENDS[backend] : undefined;
  if (backend && platform && known && known.platforms.length > 0 && !known.platforms.includes(platform)) {
    report(
      "error",
      "platform-backend",
      `unexpected 'platform' and 'backend' pair: "${platform}" and "${backend}"`,
      `For backend "${backend}" use platform ${known.platforms.map((p) => `"${p}"`).join(" or ")}, or drop platform.`,
    );
  }
  if (platform && !backend && !PLATFORM_FILES[platform]) {
    report(
      "error",
      "unknown-platform",
      `unexpected platform type "${platform}"`,
      `Known platforms: ${Object.keys(PLATFORM_FILES).join(", ")}, ensemble; other backends are named with backend: "…".`,
    );
  }
}

function checkTensors(
  kind: "input" | "output",
  tensors: TensorConfig[],
  config: ModelConfig,
  report: Report,
): void {
  const seen = new Set<string>();
  const backend =
    config.backend ??
    Object.entries(BACKENDS).find(([, b]) => b.platforms.includes(config.platform ?? ""))?.[0];
  for (const [i, t] of tensors.entries()) {
    const label = t.name ? `${kind} "${t.name}"` : `${kind} #${i + 1}`;
    if (!t.name) report("error", "tensor-name", `${label} has no name`);
    else if (seen.has(t.name)) report("error", "duplicate-tensor", `${kind} "${t.name}" is declared twice`);
    if (t.name) seen.add(t.name);
    const type = typeof t.data_type === "string" ? t.data_type : undefined;
    if (!t.data_type || type === "TYPE_INVALID") {
      report("error", "tensor-type", `${label} has no data_type`, "e.g. data_type: TYPE_FP32");
    } else if (type && backend && UNSUPPORTED_TYPES[backend]?.includes(type)) {
      report("error", "tensor-type", `${label}: the ${backend} backend does not support ${type}`);
    }
    const dims = dimsOf(t);
    if (dims.length === 0 && !t.reshape) {
      report(
        "error",
        "tensor-dims",
        `${label} has no dims`,
        config.max_batch_size
          ? "List the dims without the batch dimension, e.g. dims: [ -1 ]."
          : "e.g. dims: [ 1 ]",
      );
    }
    for (const d of dims) {
      if (d !== -1 && d < 1)
        report("error", "tensor-dims", `${label} has dim ${d}; dims must be -1 (variable) or at least 1`);
    }
    if (
      config.max_batch_size &&
      config.max_batch_size > 0 &&
      dims[0] === -1 &&
      dims.length > 1 &&
      kind === "input"
    ) {
      report(
        "warning",
        "batch-in-dims",
        `${label} starts with -1 although max_batch_size > 0 adds the batch dimension`,
        "With batching, dims leave the batch dimension out; check the shape is not doubled.",
      );
    }
    if (t.format && t.format !== "FORMAT_NONE" && dims.length !== 3) {
      report("error", "tensor-format", `${label} has format ${t.format}, which needs exactly 3 dims`);
    }
    if (t.is_shape_tensor && config.platform !== "tensorrt_plan") {
      report("error", "shape-tensor", `${label}: is_shape_tensor is only for platform "tensorrt_plan"`);
    }
    if (t.reshape) {
      const shape = (t.reshape.shape ?? []).map(Number);
      if (shape.length === 0) {
        if (!config.max_batch_size)
          report("error", "reshape", `${label}: an empty reshape needs max_batch_size > 0`);
        if (elementCount(dims) !== 1)
          report("error", "reshape", `${label}: an empty reshape needs dims with one element`);
      } else if (!dims.includes(-1) && !shape.includes(-1) && elementCount(dims) !== elementCount(shape)) {
        report(
          "error",
          "reshape",
          `${label}: dims [${dims}] and reshape [${shape}] hold different numbers of elements`,
        );
      }
    }
  }
}

function checkEnsemble(config: ModelConfig, siblings: Siblings | undefined, report: Report): void {
  const isEnsemble = config.platform === "ensemble";
  if (!isEnsemble) {
    if (config.ensemble_scheduling)
      report("error", "ensemble", 'ensemble_scheduling is only allowed with platform: "ensemble"');
    return;
  }
  if (!config.ensemble_scheduling) {
    report("error", "ensemble", "an ensemble needs ensemble_scheduling with at least one step");
    return;
  }
  for (const field of ["instance_group", "optimization", "model_warmup"] as const) {
    if (config[field]) report("error", "ensemble", `an ensemble may not set ${field}`);
  }
  const steps = config.ensemble_scheduling.step ?? [];
  if (steps.length === 0) report("error", "ensemble", "ensemble_scheduling has no step");
  const produced = new Set((config.input ?? []).map((t) => t.name as string));
  const consumed = new Set<string>();
  for (const [i, step] of steps.entries()) {
    const name = step.model_name ?? "";
    const label = `step ${i + 1} (${name || "no model_name"})`;
    const target = siblings?.get(name);
    if (!name) report("error", "ensemble-step", `${label} has no model_name`);
    else if (siblings && !target)
      report("error", "ensemble-step", `${label} uses model "${name}", which is not in the repository`);
    for (const [tensor, ensembleTensor] of Object.entries(step.input_map ?? {})) {
      if (target && !target.inputs.includes(tensor)) {
        report(
          "error",
          "ensemble-step",
          `${label} maps input "${tensor}", which ${name} does not have (it has ${target.inputs.join(", ") || "none"})`,
        );
      }
      consumed.add(ensembleTensor);
    }
    for (const [tensor, ensembleTensor] of Object.entries(step.output_map ?? {})) {
      if (target && !target.outputs.includes(tensor)) {
        report(
          "error",
          "ensemble-step",
          `${label} maps output "${tensor}", which ${name} does not produce (it has ${target.outputs.join(", ") || "none"})`,
        );
      }
      produced.add(ensembleTensor);
    }
  }
  for (const t of config.input ?? []) {
    if (t.name && !consumed.has(t.name))
      report("error", "ensemble-io", `ensemble input "${t.name}" is not used by any step`);
  }
  for (const t of config.output ?? []) {
    if (t.name && !produced.has(t.name))
      report("error", "ensemble-io", `ensemble output "${t.name}" is not produced by any step`);
  }
  for (const tensor of consumed) {
    if (!produced.has(tensor))
      report(
        "error",
        "ensemble-io",
        `tensor "${tensor}" is consumed by a step but produced by no step or ensemble input`,
      );
  }
}

/** The checks Triton makes on a config alone (ValidateModelConfig, ValidateIOShape, …). */
export function checkConfig(config: ModelConfig, report: Report, siblings?: Siblings): void {
  checkBackend(config, report);
  const maxBatch = config.max_batch_size ?? 0;
  if (maxBatch < 0)
    report("error", "max-batch-size", `max_batch_size is ${maxBatch}; it must be 0 (no batching) or more`);
  if (config.dynamic_batching) {
    if (maxBatch === 0) {
      report(
        "error",
        "dynamic-batching",
        "dynamic_batching needs max_batch_size > 0",
        "Set max_batch_size (e.g. 8), or remove dynamic_batching.",
      );
    }
    for (const size of config.dynamic_batching.preferred_batch_size ?? []) {
      if (size < 1 || (maxBatch > 0 && size > maxBatch)) {
        report(
          "error",
          "dynamic-batching",
          `preferred_batch_size ${size} must be between 1 and max_batch_size (${maxBatch})`,
        );
      }
    }
  }
  checkTensors("input", config.input ?? [], config, report);
  checkTensors("output", config.output ?? [], config, report);
  checkEnsemble(config, siblings, report);
  for (const group of config.instance_group ?? []) {
    if ((group.kind === "KIND_CPU" || group.kind === "KIND_MODEL") && (group.gpus ?? []).length > 0) {
      report("error", "instance-group", `instance_group of kind ${group.kind} may not list gpus`);
    }
    if (group.kind === "KIND_GPU") {
      report(
        "warning",
        "instance-group",
        "instance_group of kind KIND_GPU fails to load on a machine without a GPU",
        "Use KIND_AUTO to run on a GPU when there is one.",
      );
    }
  }
  for (const warmup of config.model_warmup ?? []) {
    const size = warmup.batch_size ?? 0;
    if (size < 1 || (maxBatch === 0 && size !== 1)) {
      report(
        "error",
        "warmup",
        `model_warmup batch_size ${size} must be ${maxBatch === 0 ? "1 for a model without batching" : `between 1 and ${maxBatch}`}`,
      );
    }
  }
}
