import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ModelConfig, parseModelConfig, type TensorConfig } from "./config.js";
import type { StepSpec, TensorSpec } from "./project-section.js";
import type { TritonDiagnostic } from "./rules.js";

type Report = (severity: TritonDiagnostic["severity"], rule: string, message: string, hint?: string) => void;

interface TensorInfo {
  dataType: string;
  dims: number[];
  /** "step 1 (scale) output OUT": where the tensor's type was seen first, for messages. */
  where: string;
}

const dimsOf = (t: TensorConfig) => (t.dims ?? []).map(Number);
const sameDims = (a: number[], b: number[]) =>
  a.length === b.length && a.every((d, i) => d === -1 || b[i] === -1 || d === b[i]);

async function readStep(repository: string, model: string): Promise<ModelConfig | string> {
  const text = await readFile(join(repository, model, "config.pbtxt"), "utf8").catch(() => undefined);
  if (text === undefined) return `model "${model}" is not in ${repository}`;
  const read = parseModelConfig(text);
  return read.ok
    ? read.config
    : `${model}/config.pbtxt does not parse (${read.line}:${read.column}: ${read.message})`;
}

/**
 * An ensemble's config from mserve.yaml steps, checked against the step models'
 * own configs in the repository: every step input mapped, each mapped name one
 * the step has, and each ensemble tensor of one datatype and shape wherever it
 * is written or read. Inputs and outputs the project leaves out are the tensors
 * the steps read but nothing writes, and write but nothing reads.
 */
export async function planEnsemble(
  section: {
    steps: StepSpec[];
    inputs?: TensorSpec[];
    outputs?: TensorSpec[];
    maxBatchSize?: number;
  },
  name: string,
  repository: string,
  report: Report,
): Promise<ModelConfig> {
  const tensors = new Map<string, TensorInfo>();
  const written = new Set<string>();
  const read = new Set<string>();
  const batchSizes: number[] = [];
  const note = (tensor: string, info: TensorInfo) => {
    const seen = tensors.get(tensor);
    if (!seen) return tensors.set(tensor, info);
    if (seen.dataType !== info.dataType || !sameDims(seen.dims, info.dims))
      report(
        "error",
        "ensemble-tensor",
        `ensemble tensor "${tensor}" is ${info.dataType} [${info.dims}] at ${info.where}, but ${seen.dataType} [${seen.dims}] at ${seen.where}`,
        "Connect tensors of the same datatype and dims, or convert in a Python step.",
      );
  };
  for (const [i, step] of section.steps.entries()) {
    const label = `step ${i + 1} (${step.model})`;
    const config = await readStep(repository, step.model);
    if (typeof config === "string") {
      report(
        "error",
        "ensemble-step",
        `${label}: ${config}`,
        "Package the step models into the same repository first (mserve package --config steps/NAME/mserve.yaml).",
      );
      continue;
    }
    batchSizes.push(config.max_batch_size ?? 0);
    const inputs = config.input ?? [];
    const outputs = config.output ?? [];
    for (const [tensor, ensembleTensor] of Object.entries(step.inputs)) {
      const t = inputs.find((x) => x.name === tensor);
      if (!t) {
        report(
          "error",
          "ensemble-step",
          `${label} maps input "${tensor}", which ${step.model} does not have (it has ${inputs.map((x) => x.name).join(", ") || "none"})`,
        );
        continue;
      }
      read.add(ensembleTensor);
      note(ensembleTensor, {
        dataType: String(t.data_type),
        dims: dimsOf(t),
        where: `${label} input ${tensor}`,
      });
    }
    for (const t of inputs) {
      if (t.name && !t.optional && !(t.name in step.inputs))
        report("error", "ensemble-step", `${label} does not map input "${t.name}" of ${step.model}`);
    }
    for (const [tensor, ensembleTensor] of Object.entries(step.outputs)) {
      const t = outputs.find((x) => x.name === tensor);
      if (!t) {
        report(
          "error",
          "ensemble-step",
          `${label} maps output "${tensor}", which ${step.model} does not produce (it has ${outputs.map((x) => x.name).join(", ") || "none"})`,
        );
        continue;
      }
      if (written.has(ensembleTensor))
        report("error", "ensemble-tensor", `ensemble tensor "${ensembleTensor}" is written by two steps`);
      written.add(ensembleTensor);
      note(ensembleTensor, {
        dataType: String(t.data_type),
        dims: dimsOf(t),
        where: `${label} output ${tensor}`,
      });
    }
  }
  const derived = (names: string[]) =>
    names.flatMap((n) => {
      const info = tensors.get(n);
      return info ? [{ name: n, data_type: info.dataType, dims: info.dims }] : [];
    });
  const given = (list: TensorSpec[]) =>
    list.map((t) => ({ name: t.name, data_type: t["data-type"], dims: t.dims }));
  const input = section.inputs ? given(section.inputs) : derived([...read].filter((t) => !written.has(t)));
  const output = section.outputs ? given(section.outputs) : derived([...written].filter((t) => !read.has(t)));
  for (const t of [...input, ...output]) {
    const info = tensors.get(t.name);
    if (info && (info.dataType !== t.data_type || !sameDims(info.dims, t.dims)))
      report(
        "error",
        "ensemble-tensor",
        `ensemble tensor "${t.name}" is declared ${t.data_type} [${t.dims}], but ${info.where} is ${info.dataType} [${info.dims}]`,
      );
  }
  const smallest = batchSizes.length ? Math.min(...batchSizes) : 0;
  const maxBatch = section.maxBatchSize ?? smallest;
  if (maxBatch > 0 && batchSizes.some((b) => b < maxBatch))
    report(
      "error",
      "ensemble-batch",
      `the ensemble's max_batch_size ${maxBatch} is more than a step's (${smallest})`,
      `Set max-batch-size: ${smallest} (or less) for the ensemble, or raise the step's.`,
    );
  return {
    name,
    platform: "ensemble",
    max_batch_size: maxBatch,
    input,
    output,
    ensemble_scheduling: {
      step: section.steps.map((s) => ({
        model_name: s.model,
        model_version: s.version ?? -1,
        input_map: s.inputs,
        output_map: s.outputs,
      })),
    },
  };
}
