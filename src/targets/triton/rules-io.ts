import { BACKEND_FACTS } from "./backends.js";
import type { TensorConfig } from "./config.js";
import { at, dimsOf, elementCount, missing, type RuleContext, typeName } from "./rules-context.js";

/**
 * Inputs and outputs: core src/model_config_utils.cc ValidateIOShape,
 * ValidateModelInput/Output and ValidateNonLinearFormatIO (run by
 * ValidateModelIOConfig: at load with auto-complete off, after the backend's
 * auto-complete otherwise), plus what the PyTorch backend refuses at load.
 */
export function checkTensors(kind: "input" | "output", tensors: TensorConfig[], ctx: RuleContext): void {
  const { config, report } = ctx;
  const maxBatch = Number(config.max_batch_size ?? 0);
  const seen = new Set<string>();
  const facts = BACKEND_FACTS[ctx.backend];
  for (const [i, t] of tensors.entries()) {
    const label = t.name ? `${kind} "${t.name}"` : `${kind} #${i + 1}`;
    if (!t.name) report("error", "tensor-name", `model ${kind} #${i + 1} must specify 'name'`);
    else if (seen.has(t.name))
      report(
        "warning",
        "duplicate-tensor",
        `${kind} "${t.name}" is declared twice; Triton keeps one of them`,
        "Remove or rename the second one.",
        at(t, "name"),
      );
    if (t.name) seen.add(t.name);
    const type = typeName(t.data_type);
    if (type === "TYPE_INVALID")
      missing(ctx, "tensor-type", `${label} must specify 'data_type'`, "e.g. data_type: TYPE_FP32");
    else if (facts?.unsupportedTypes?.includes(type))
      report(
        "error",
        "tensor-type",
        `${label}: the ${ctx.backend} backend does not support ${type}`,
        undefined,
        at(t, "data_type"),
      );
    const dims = dimsOf(t.dims);
    if (dims.length === 0)
      missing(
        ctx,
        "tensor-dims",
        `${label} must specify 'dims'`,
        maxBatch > 0 ? "List the dims without the batch dimension, e.g. dims: [ -1 ]." : "e.g. dims: [ 1 ]",
      );
    const bad = dims.find((d) => d < 1 && d !== -1);
    if (bad !== undefined)
      report(
        "error",
        "tensor-dims",
        `${label} has dim ${bad}; a dimension must be an integer >= 1, or -1 for a variable size`,
        undefined,
        at(t, "dims"),
      );
    if (maxBatch > 0 && dims[0] === -1 && dims.length > 1 && kind === "input")
      report(
        "warning",
        "batch-in-dims",
        `${label} starts with -1 although max_batch_size > 0 adds the batch dimension`,
        "With batching, dims leave the batch dimension out; check the shape is not doubled.",
        at(t, "dims"),
      );
    if (t.reshape && dims.length > 0) checkReshape(label, dims, t, maxBatch, ctx);
    if (kind === "input" && (t.format === "FORMAT_NHWC" || t.format === "FORMAT_NCHW") && dims.length !== 3)
      report(
        "error",
        "tensor-format",
        `${label}: format ${t.format} requires 3 dims`,
        undefined,
        at(t, "format"),
      );
    if (t.is_shape_tensor && ctx.platform !== "tensorrt_plan")
      report(
        "error",
        "shape-tensor",
        `${label}: shape tensors are only supported for the TensorRT platform`,
        undefined,
        at(t, "is_shape_tensor"),
      );
    if ((t as { is_non_linear_format_io?: boolean }).is_non_linear_format_io) {
      if (ctx.platform !== "tensorrt_plan")
        report(
          "error",
          "non-linear-io",
          `${label}: non-linear IO format is only supported for the TensorRT platform`,
        );
      else if (dims.length !== 3)
        report("error", "non-linear-io", `${label}: non-linear IO format requires 3 dims`);
    }
    // pytorch_backend src/libtorch.cc ValidateInputs: strings are a 1-D list.
    if (ctx.backend === "pytorch" && kind === "input" && type === "TYPE_STRING") {
      const shape = t.reshape ? dimsOf(t.reshape.shape) : dims;
      if (shape.length + (maxBatch > 0 ? 1 : 0) > 1)
        report(
          "error",
          "tensor-type",
          `${label}: the pytorch backend only takes TYPE_STRING as a 1-dimensional list`,
        );
    }
  }
  // pytorch_backend src/libtorch.cc ValidateInputs/ValidateOutputs: "must contain at least one input/output".
  if (ctx.backend === "pytorch" && tensors.length === 0)
    report(
      "error",
      "pytorch-io",
      `the pytorch backend needs at least one ${kind}; none is specified`,
      "PyTorch models cannot describe their inputs and outputs: list them (INPUT__0, OUTPUT__0, …).",
    );
}

/** ValidateIOShape's reshape part: zeros, empty reshapes and element counts chunk by chunk around -1. */
function checkReshape(label: string, dims: number[], t: TensorConfig, maxBatch: number, ctx: RuleContext) {
  const { report } = ctx;
  const shape = dimsOf(t.reshape?.shape);
  const where = at(t, "reshape");
  if (shape.length === 0 && maxBatch === 0) {
    report(
      "error",
      "reshape",
      `${label} cannot have an empty reshape in a model without batching (scalar tensors are not supported)`,
      undefined,
      where,
    );
  }
  const bad = shape.find((d) => d < 1 && d !== -1);
  if (bad !== undefined) {
    report(
      "error",
      "reshape-dims",
      `${label} has reshape dim ${bad}; reshape dimensions must be integers >= 1, or -1 for a variable size`,
      undefined,
      where,
    );
    return;
  }
  const dimsSize = elementCount(dims);
  const shapeSize = elementCount(shape);
  if (dimsSize !== shapeSize && (shapeSize !== 0 || dimsSize !== 1)) {
    report(
      "error",
      "reshape",
      shape.length === 0
        ? `${label}: an empty reshape needs dims holding one element, not [${dims}]`
        : `${label}: dims [${dims}] and reshape [${shape}] hold different numbers of elements`,
      dims.includes(-1) !== shape.includes(-1)
        ? "Use -1 in both dims and reshape, or in neither."
        : undefined,
      where,
    );
    return;
  }
  if (dimsSize === -1) {
    const chunks = (ds: number[]) => {
      const out = [1];
      for (const d of ds) {
        if (d === -1) out.push(1);
        else out[out.length - 1] = (out[out.length - 1] as number) * d;
      }
      return out;
    };
    const a = chunks(dims);
    const b = chunks(shape);
    if (a.length !== b.length)
      report(
        "error",
        "reshape",
        `${label}: dims [${dims}] and reshape [${shape}] have different numbers of -1 dimensions`,
        undefined,
        where,
      );
    else if (a.some((n, i) => n !== b[i]))
      report(
        "error",
        "reshape",
        `${label}: dims [${dims}] and reshape [${shape}] hold different numbers of elements between their -1 dimensions`,
        undefined,
        where,
      );
  }
}

const BATCH_INPUT_KINDS = new Set([
  "BATCH_ELEMENT_COUNT",
  "BATCH_ACCUMULATED_ELEMENT_COUNT",
  "BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO",
  "BATCH_MAX_ELEMENT_COUNT_AS_SHAPE",
  "BATCH_ITEM_SHAPE",
  "BATCH_ITEM_SHAPE_FLATTEN",
]);

interface BatchIO {
  kind?: string | number;
  target_name?: string[];
  source_input?: string[];
  data_type?: string | number;
}

/** core ValidateBatchIO: one source each, a known kind, INT32/FP32, sources among the inputs, targets among the outputs. */
export function checkBatchIO(ctx: RuleContext): void {
  const { config, report } = ctx;
  const inputs = new Set((config.input ?? []).map((t) => t.name ?? ""));
  const outputs = new Set((config.output ?? []).map((t) => t.name ?? ""));
  // With auto-complete, the backend may add inputs and outputs the sources and targets refer to.
  const open = ctx.ioOpen;
  const unknown = (rule: string, what: "input" | "output", name: string, where?: ReturnType<typeof at>) => {
    if (open && (what === "input" ? inputs.size === 0 : outputs.size === 0))
      report(
        "note",
        rule,
        `${what} "${name}" is not in the config; left to the backend's auto-complete`,
        undefined,
        where,
      );
    else
      report(
        "error",
        rule,
        `unknown ${what === "input" ? "source input" : "target output"} name "${name}"`,
        undefined,
        where,
      );
  };
  for (const [i, b] of ((config.batch_input as BatchIO[] | undefined) ?? []).entries()) {
    const kind = typeName(b.kind ?? "BATCH_ELEMENT_COUNT");
    const label = `batch_input #${i + 1} (${kind})`;
    if (!BATCH_INPUT_KINDS.has(kind))
      report("error", "batch-input", `${label}: unknown batch input kind`, undefined, at(b, "kind"));
    else if ((b.source_input ?? []).length !== 1)
      report(
        "error",
        "batch-input",
        `${label} expects 1 source input, got ${(b.source_input ?? []).length}`,
        undefined,
        at(b, "source_input"),
      );
    const type = typeName(b.data_type);
    if (type !== "TYPE_INT32" && type !== "TYPE_FP32")
      report(
        "error",
        "batch-input",
        `${label}: the data type must be TYPE_INT32 or TYPE_FP32, not ${type}`,
        undefined,
        at(b, "data_type"),
      );
    for (const source of b.source_input ?? [])
      if (!inputs.has(source)) unknown("batch-input", "input", source, at(b, "source_input"));
  }
  for (const [i, b] of ((config.batch_output as BatchIO[] | undefined) ?? []).entries()) {
    const kind = typeName(b.kind ?? "BATCH_SCATTER_WITH_INPUT_SHAPE");
    const label = `batch_output #${i + 1} (${kind})`;
    if (kind !== "BATCH_SCATTER_WITH_INPUT_SHAPE")
      report("error", "batch-output", `${label}: unknown batch output kind`, undefined, at(b, "kind"));
    else if ((b.source_input ?? []).length !== 1)
      report(
        "error",
        "batch-output",
        `${label} expects 1 source input, got ${(b.source_input ?? []).length}`,
        undefined,
        at(b, "source_input"),
      );
    for (const source of b.source_input ?? [])
      if (!inputs.has(source)) unknown("batch-output", "input", source, at(b, "source_input"));
    const targets = new Set<string>();
    for (const target of b.target_name ?? []) {
      if (!outputs.has(target)) unknown("batch-output", "output", target, at(b, "target_name"));
      if (targets.has(target))
        report(
          "error",
          "batch-output",
          `${label}: target output "${target}" can only be named once`,
          undefined,
          at(b, "target_name"),
        );
      targets.add(target);
    }
  }
}
