import type { Diagnostic } from "../../diagnostics.js";
import { autofillBackendFields, type BackendFields, type FirstVersion } from "./autofill.js";
import { BACKEND_FACTS, PAIRED_BACKENDS, PLATFORM_BACKEND } from "./backends.js";
import type { ModelConfig } from "./config.js";
import { at, dimsOf, type Report, type RuleContext } from "./rules-context.js";
import { checkEnsembleConfig } from "./rules-ensemble.js";
import { checkBatchIO, checkTensors } from "./rules-io.js";
import { checkDynamicBatching, checkSequenceBatching } from "./rules-scheduling.js";

/**
 * The checks Triton makes when it loads a model, each written from Triton's own
 * source (triton-inference-server/core and the backends at r24.10 = Triton
 * 2.51, the server mserve's differential tests load every case into).
 * Rule ids are stable; test/integration/triton-differential.test.ts maps
 * Triton's messages onto them.
 */

/** Kept for callers written before the shared Diagnostic type. */
export type TritonDiagnostic = Diagnostic;
export type { Report } from "./rules-context.js";

export interface CheckOptions {
  /** Triton's --disable-auto-complete-config: what a backend could fill in must be written. */
  strictModelConfig?: boolean;
  /** The model folder's name (autofill derives a custom backend from `model.<backend>`). */
  modelName?: string;
  /** The first version folder, when the model is on disk (autofill reads its file names). */
  firstVersion?: FirstVersion;
  /** Python backend: model.py defines auto_complete_config, so it may fill inputs and outputs. */
  pythonAutoComplete?: boolean;
}

/** What core fills in before validating (name, backend, platform, default_model_filename). */
export function backendFieldsOf(config: ModelConfig, options: CheckOptions = {}): BackendFields {
  return autofillBackendFields(config, options.modelName ?? config.name ?? "", options.firstVersion);
}

/** The files the model's backend may load from each version folder (undefined: none mserve can name). */
export function modelFileNames(config: ModelConfig, fields: BackendFields): string[] | undefined {
  if (config.platform === "ensemble") return undefined;
  const facts = BACKEND_FACTS[fields.backend];
  return facts?.modelFiles({
    ...config,
    platform: fields.platform,
    default_model_filename: fields.defaultModelFilename,
  });
}

/** @deprecated use modelFileNames; the first file a backend loads. */
export function modelFileName(config: ModelConfig): string | undefined {
  return modelFileNames(config, backendFieldsOf(config))?.[0];
}

/** Whether, with auto-complete on, the backend may still fill in inputs, outputs and max_batch_size. */
export function ioOpenFor(
  fields: BackendFields,
  platform: string | undefined,
  options: CheckOptions,
): boolean {
  if (options.strictModelConfig || platform === "ensemble" || !fields.backend) return false;
  const completes = BACKEND_FACTS[fields.backend]?.autoCompletesIO;
  // A backend mserve does not know (identity, vllm, tensorrtllm, …) may auto-complete: assume it can.
  if (completes === undefined) return true;
  return completes === "model.py" ? Boolean(options.pythonAutoComplete) : completes;
}

/**
 * Every check Triton applies to one config (ValidateModelConfig,
 * ValidateModelIOConfig, ValidateInstanceGroup, …). `report` gets each finding.
 */
export function checkConfig(config: ModelConfig, report: Report, options: CheckOptions = {}): void {
  const fields = backendFieldsOf(config, options);
  const ctx: RuleContext = {
    config,
    report,
    strict: Boolean(options.strictModelConfig),
    backend: fields.backend,
    platform: fields.platform,
    ioOpen: ioOpenFor(fields, config.platform, options),
  };
  checkBackend(config, fields, ctx, options);
  const maxBatch = Number(config.max_batch_size ?? 0);
  if (maxBatch < 0)
    report(
      "error",
      "max-batch-size",
      `max_batch_size is ${maxBatch}; it must be 0 (no batching) or more`,
      undefined,
      at(config, "max_batch_size"),
    );
  checkDynamicBatching(ctx);
  checkSequenceBatching(ctx);
  checkEnsembleConfig(ctx);
  checkTensors("input", config.input ?? [], ctx);
  checkTensors("output", config.output ?? [], ctx);
  checkBatchIO(ctx);
  if (config.platform !== "ensemble") checkInstanceGroups(ctx);
  checkWarmup(ctx);
}

/** core ValidateModelConfig's backend/platform checks, after AutoCompleteBackendFields. */
function checkBackend(config: ModelConfig, fields: BackendFields, ctx: RuleContext, options: CheckOptions) {
  const { report } = ctx;
  const { backend, platform } = fields;
  if (platform === "ensemble") {
    if (config.backend)
      report(
        "error",
        "ensemble-backend",
        `an ensemble must not set backend (got "${config.backend}")`,
        "Remove the backend line.",
        at(config, "backend"),
      );
    return;
  }
  if (!backend) {
    if (platform)
      report(
        "error",
        "unknown-platform",
        `unexpected platform type "${platform}"`,
        `Known platforms: ${Object.keys(PLATFORM_BACKEND).join(", ")}, ensemble; other backends are named with backend: "…".`,
        at(config, "platform"),
      );
    else if (options.firstVersion || options.modelName)
      report(
        "error",
        "no-backend",
        `Triton cannot determine the backend of ${options.modelName ?? "this model"}: the config names no backend or platform, no model file it knows is in the first version folder, and the name is not of the form model.<backend>`,
        'Set backend, e.g. backend: "python".',
      );
    else
      report(
        "warning",
        "no-backend",
        "neither platform nor backend is set; Triton guesses it from the model files",
        'Set backend explicitly, e.g. backend: "python".',
      );
    return;
  }
  if (fields.source === "name")
    report(
      "note",
      "backend-guessed",
      `no backend is set; Triton takes "${backend}" from the model name`,
      `Set backend: "${backend}" to make it explicit.`,
    );
  else if (fields.source === "files")
    report(
      "note",
      "backend-guessed",
      `no backend is set; Triton picks "${backend}" from the files in the first version folder`,
      `Set backend: "${backend}" to make it explicit.`,
    );
  if (PAIRED_BACKENDS.has(backend) && PLATFORM_BACKEND[platform] !== backend) {
    const platforms = BACKEND_FACTS[backend]?.platforms ?? [];
    report(
      "error",
      "platform-backend",
      `unexpected 'platform' and 'backend' pair: "${platform}" and "${backend}"`,
      `For backend "${backend}" use platform ${platforms.map((p) => `"${p}"`).join(" or ")}, or drop platform.`,
      at(config, "platform") ?? at(config, "backend"),
    );
  }
}

interface InstanceGroup {
  name?: string;
  kind?: string;
  gpus?: number[];
  profile?: string[];
}

/**
 * NormalizeInstanceGroup + ValidateInstanceGroup (core model_config_utils.cc).
 * What depends on the machine's GPUs is a warning: the same config loads on a
 * GPU host and fails on a CPU-only one.
 */
function checkInstanceGroups({ config, report, platform }: RuleContext) {
  for (const [i, group] of ((config.instance_group as InstanceGroup[] | undefined) ?? []).entries()) {
    const label = `instance_group ${group.name ? `"${group.name}"` : `#${i + 1}`}`;
    const kind = group.kind ?? "KIND_AUTO";
    const gpus = (group.gpus ?? []).map(Number);
    const negative = gpus.filter((g) => g < 0);
    if (negative.length > 0)
      report(
        "error",
        "gpu-id",
        `${label} lists GPU id ${negative.join(", ")}; GPU ids are 0 or more`,
        undefined,
        at(group, "gpus"),
      );
    if ((kind === "KIND_CPU" || kind === "KIND_MODEL") && gpus.length > 0)
      report(
        "error",
        "instance-group",
        `${label} has kind ${kind} but lists gpus`,
        "Remove gpus, or use KIND_GPU.",
        at(group, "gpus"),
      );
    else if (kind === "KIND_GPU")
      report(
        "warning",
        "instance-group",
        `${label} has kind KIND_GPU: it fails to load on a machine without ${gpus.length ? `GPU ${gpus.join(", ")}` : "a GPU"}`,
        "Use KIND_AUTO to run on a GPU when there is one.",
        at(group, "kind"),
      );
    else if (kind === "KIND_AUTO" && gpus.length > negative.length)
      report(
        "warning",
        "instance-group",
        `${label} lists gpus without a kind: on a machine without GPU ${gpus.join(", ")} Triton makes it KIND_CPU, which may not list gpus, and the load fails`,
        "Use KIND_GPU with gpus, or drop gpus.",
        at(group, "gpus"),
      );
    if ((group.profile ?? []).length > 0 && platform !== "tensorrt_plan")
      report(
        "error",
        "instance-group",
        `${label} sets profile, which only TensorRT models take`,
        undefined,
        at(group, "profile"),
      );
  }
}

interface Warmup {
  name?: string;
  batch_size?: number;
  inputs?: Record<string, { dims?: (number | string)[] }>;
}

/** core src/backend_model_instance.cc GenerateWarmupData. */
function checkWarmup({ config, report }: RuleContext) {
  for (const [i, warmup] of ((config.model_warmup as Warmup[] | undefined) ?? []).entries()) {
    const label = `model_warmup ${warmup.name ? `"${warmup.name}"` : `#${i + 1}`}`;
    if (!warmup.batch_size) {
      report(
        "note",
        "warmup",
        `${label} has batch_size 0; Triton skips it`,
        undefined,
        at(warmup, "batch_size"),
      );
      continue;
    }
    for (const [input, spec] of Object.entries(warmup.inputs ?? {})) {
      if (dimsOf(spec.dims).includes(-1))
        report(
          "error",
          "warmup",
          `${label}: input "${input}" has a -1 dim; warmup needs every dimension given`,
          undefined,
          at(warmup.inputs, input),
        );
    }
  }
}
