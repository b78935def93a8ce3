import type { ModelConfig, TensorConfig } from "./config.js";
import { at, dimsOf, type Report, type RuleContext, sameDims, typeName } from "./rules-context.js";

/**
 * Ensembles. The config alone: core src/model_config_utils.cc
 * ValidateEnsembleSchedulingConfig + BuildEnsembleGraph. With the composing
 * models: src/model_repository_manager/model_repository_manager.cc
 * (ConnectDependencyGraph, CircularDependencyCheck, CheckNode) and
 * src/ensemble_scheduler/ensemble_utils.cc (ValidateEnsembleConfig,
 * ValidateTensorMapping, ValidateTensorConsistency).
 */

interface Step {
  model_name?: string;
  model_version?: number | string;
  input_map?: Record<string, string>;
  output_map?: Record<string, string>;
}
const stepsOf = (config: ModelConfig) => (config.ensemble_scheduling?.step ?? []) as Step[];

export function checkEnsembleConfig(ctx: RuleContext): void {
  const { config, report } = ctx;
  const isEnsemble = config.platform === "ensemble";
  if (!config.ensemble_scheduling) {
    if (isEnsemble)
      report(
        "error",
        "ensemble",
        'an ensemble (platform: "ensemble") needs ensemble_scheduling',
        undefined,
        at(config, "platform"),
      );
    return;
  }
  if (!isEnsemble) {
    report(
      "error",
      "ensemble",
      'ensemble_scheduling is only allowed with platform: "ensemble"',
      undefined,
      at(config, "ensemble_scheduling"),
    );
    return;
  }
  for (const field of ["instance_group", "optimization", "model_warmup"]) {
    const value = config[field];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0))
      report(
        "error",
        "ensemble",
        `an ensemble may not set ${field}`,
        `Remove ${field}; the composing models carry their own.`,
        at(config, field),
      );
  }
  const steps = stepsOf(config);
  if (steps.length === 0) {
    report(
      "error",
      "ensemble",
      "ensemble_scheduling must specify at least one step",
      undefined,
      at(config, "ensemble_scheduling"),
    );
    return;
  }
  // BuildEnsembleGraph: ensemble tensor name → who writes it and what it needs.
  const nodes = new Map<string, { written: boolean; ready: boolean; prev: string[]; next: string[] }>();
  const node = (name: string) => {
    let n = nodes.get(name);
    if (!n) {
      n = { written: false, ready: false, prev: [], next: [] };
      nodes.set(name, n);
    }
    return n;
  };
  let structural = false;
  for (const [i, step] of steps.entries()) {
    const label = `step ${i + 1}${step.model_name ? ` (${step.model_name})` : ""}`;
    for (const [field, what] of [
      ["model_name", step.model_name],
      ["input_map", Object.keys(step.input_map ?? {}).length > 0],
      ["output_map", Object.keys(step.output_map ?? {}).length > 0],
    ] as const) {
      if (!what) {
        report("error", "ensemble", `${label} must specify '${field}'`, undefined, at(step, "model_name"));
        structural = true;
      }
    }
    if (structural) continue;
    const outputs: string[] = [];
    for (const tensor of Object.values(step.output_map ?? {})) {
      const n = node(tensor);
      if (n.written)
        report(
          "error",
          "ensemble-mapping",
          `ensemble tensor "${tensor}" is written by more than one output map (again in ${label})`,
          "Each ensemble tensor has exactly one producer; rename one of them.",
          at(
            step.output_map,
            Object.keys(step.output_map ?? {}).find((k) => step.output_map?.[k] === tensor) ?? "",
          ),
        );
      n.written = true;
      outputs.push(tensor);
    }
    for (const tensor of Object.values(step.input_map ?? {})) {
      node(tensor);
      for (const out of outputs) {
        node(out).prev.push(tensor);
        node(tensor).next.push(out);
      }
    }
  }
  if (structural) return;
  const queue: string[] = [];
  for (const input of config.input ?? []) {
    const n = nodes.get(input.name ?? "");
    if (!n) {
      report(
        "error",
        "ensemble-io",
        `ensemble input "${input.name}" is not used by any step`,
        undefined,
        at(input, "name"),
      );
      continue;
    }
    n.ready = true;
    queue.push(input.name ?? "");
  }
  while (queue.length > 0) {
    for (const next of nodes.get(queue.shift() as string)?.next ?? []) {
      const n = nodes.get(next);
      if (!n || n.ready) continue;
      n.ready = n.prev.every((p) => nodes.get(p)?.ready);
      if (n.ready) queue.push(next);
    }
  }
  const outputs = new Set<string>();
  for (const output of config.output ?? []) {
    const name = output.name ?? "";
    const n = nodes.get(name);
    if (!n)
      report(
        "error",
        "ensemble-io",
        `ensemble output "${name}" is not produced by any step`,
        undefined,
        at(output, "name"),
      );
    else if (!n.ready) {
      const cause = firstNotReady(nodes, name);
      report(
        "error",
        "ensemble-io",
        `ensemble output "${name}" is never written${cause ? `: it depends on "${cause}", which no ensemble input or step output reaches` : ""}`,
        "Every tensor a step reads must come from an ensemble input or another step's output, without loops.",
        at(output, "name"),
      );
    } else outputs.add(name);
  }
  for (const [name, n] of nodes) {
    if (outputs.has(name) || (config.output ?? []).some((o) => o.name === name)) continue;
    if (!n.ready || n.next.length === 0)
      report(
        "error",
        "ensemble-io",
        `ensemble tensor "${name}" is ${n.ready ? "written but never read" : "read but never written (or only in a loop)"}`,
        n.ready
          ? "Map it to a step input or an ensemble output, or drop it."
          : "Produce it from an ensemble input or a step output.",
      );
  }
}

/** The source of a not-ready tensor, as core's "at least one of its depending tensors ... is not connected". */
function firstNotReady(
  nodes: Map<string, { ready: boolean; prev: string[] }>,
  from: string,
): string | undefined {
  const seen = new Set<string>();
  let last = from;
  let prev = nodes.get(from)?.prev ?? [];
  while (prev.length > 0) {
    const next = prev.find((p) => !nodes.get(p)?.ready && !seen.has(p));
    if (!next) break;
    seen.add(next);
    last = next;
    prev = nodes.get(next)?.prev ?? [];
  }
  return last === from ? undefined : last;
}

/** What the graph checks need to know about a composing model. */
export interface Composing {
  config: ModelConfig;
  /** Versions Triton would load (VersionsToLoad). */
  versions: Set<number>;
  /** Its inputs/outputs may still be filled by its backend's auto-complete. */
  ioOpen: boolean;
  decoupled: boolean;
}

interface TensorNode {
  model: string;
  type?: string;
  dims?: number[];
  full?: number[];
  decoupled: boolean;
  label: number;
  visited: boolean;
  prev: TensorNode[];
  next: TensorNode[];
  sibling?: { label: number; visited: boolean };
}

/** Checks of one ensemble against the configs of its (readable, error-free) composing models. */
export function checkEnsembleGraph(
  name: string,
  config: ModelConfig,
  lookup: (model: string) => Composing | undefined,
  report: Report,
): void {
  const ensembleBatch = Number(config.max_batch_size ?? 0);
  const tensors = new Map<string, TensorNode>();
  /** `known`: compare its type and shape (the backend will not change them); else skip it. */
  const make = (
    model: string,
    batching: boolean,
    t: Pick<TensorConfig, "data_type" | "dims">,
    dims: number[],
    known: boolean,
  ) => {
    const node: TensorNode = { model, decoupled: false, label: 0, visited: false, prev: [], next: [] };
    if (known) {
      node.type = typeName(t.data_type);
      node.dims = dims;
      node.full = batching ? [-1, ...dims] : dims;
    }
    return node;
  };
  // An ensemble's own tensors are taken as written (nothing auto-completes an ensemble).
  const written = (composing: Composing, t: TensorConfig) =>
    !composing.ioOpen || (t.data_type !== undefined && dimsOf(t.dims).length > 0);
  const own = (t: TensorConfig) => (t.reshape ? dimsOf(t.reshape.shape) : dimsOf(t.dims));
  for (const t of config.input ?? [])
    tensors.set(t.name ?? "", make(name, ensembleBatch > 0, t, own(t), true));
  const sink: TensorNode = { model: name, decoupled: false, label: 0, visited: false, prev: [], next: [] };
  for (const t of config.output ?? []) {
    const node = tensors.get(t.name ?? "") ?? make(name, ensembleBatch > 0, t, own(t), true);
    tensors.set(t.name ?? "", node);
    sink.prev.push(node);
    node.next.push(sink);
  }
  const consistent = (tensor: string, a: TensorNode, b: TensorNode, where: ReturnType<typeof at>) => {
    if (!a.type || !b.type) return;
    if (a.type !== b.type)
      report(
        "error",
        "ensemble-tensor",
        `ensemble tensor "${tensor}": data type ${a.type} from ${a.model} but ${b.type} from ${b.model}`,
        undefined,
        where,
      );
    else if (!sameDims(a.dims ?? [], b.dims ?? []) && !sameDims(a.full ?? [], b.full ?? []))
      report(
        "error",
        "ensemble-tensor",
        `ensemble tensor "${tensor}": shape [${a.full}] from ${a.model} but [${b.full}] from ${b.model}`,
        "Shapes must match (with -1 matching anything), counting the batch dimension of batching models.",
        where,
      );
  };
  for (const [i, step] of stepsOf(config).entries()) {
    const model = step.model_name ?? "";
    const composing = lookup(model);
    if (!composing) continue;
    const label = `step ${i + 1} (${model})`;
    const stepBatch = Number(composing.config.max_batch_size ?? 0);
    if (stepBatch !== 0 && stepBatch < ensembleBatch)
      report(
        "error",
        "ensemble-batch",
        `the ensemble allows max_batch_size ${ensembleBatch}, but ${label} allows only ${stepBatch}`,
        "Lower the ensemble's max_batch_size or raise the model's.",
        at(config, "max_batch_size"),
      );
    const required = Number(step.model_version ?? 0);
    if (required !== -1 && !composing.versions.has(required))
      report(
        "error",
        "ensemble-version",
        `${label} requires version ${required} of ${model}, which is not loaded (loaded: ${[...composing.versions].join(", ") || "none"})`,
        step.model_version === undefined
          ? "model_version defaults to 0: write model_version: -1 for the latest."
          : "Use -1 for the latest version, or one Triton loads.",
        at(step, "model_version") ?? at(step, "model_name"),
      );
    const batching = stepBatch > 0;
    const open = composing.ioOpen;
    const severity = open ? "note" : "error";
    const suffix = open ? `; ${model}'s backend may still add it (auto-complete)` : "";
    const inputs = composing.config.input ?? [];
    const outputs = composing.config.output ?? [];
    for (const [key, tensor] of Object.entries(step.input_map ?? {})) {
      if (!inputs.some((t) => t.name === key))
        report(
          severity,
          "ensemble-mapping",
          `${label} maps ensemble tensor "${tensor}" to input "${key}", which ${model} does not have${suffix}`,
          `${model} has: ${inputs.map((t) => t.name).join(", ") || "no inputs"}.`,
          at(step.input_map, key),
        );
    }
    for (const input of inputs) {
      const mapped = Object.entries(step.input_map ?? {}).filter(([key]) => key === input.name);
      if (mapped.length === 0) {
        if (!input.optional)
          report(
            "error",
            "ensemble-mapping",
            `${label}: input "${input.name}" of ${model} is not mapped to any ensemble tensor`,
            "Map it in input_map, or mark it optional in its config.",
            at(step, "input_map") ?? at(step, "model_name"),
          );
        continue;
      }
      const [, tensor] = mapped[0] as [string, string];
      const node = make(model, batching, input, dimsOf(input.dims), written(composing, input));
      const existing = tensors.get(tensor);
      if (existing) consistent(tensor, existing, node, at(step.input_map, input.name ?? ""));
      else tensors.set(tensor, node);
    }
    const sibling = { label: 0, visited: false };
    for (const [key, tensor] of Object.entries(step.output_map ?? {})) {
      const output = outputs.find((t) => t.name === key);
      if (!output) {
        report(
          severity,
          "ensemble-mapping",
          `${label} maps output "${key}" to ensemble tensor "${tensor}", but ${model} has no such output${suffix}`,
          `${model} has: ${outputs.map((t) => t.name).join(", ") || "no outputs"}.`,
          at(step.output_map, key),
        );
        continue;
      }
      const node = make(model, batching, output, dimsOf(output.dims), written(composing, output));
      const existing = tensors.get(tensor);
      if (existing) consistent(tensor, existing, node, at(step.output_map, key));
      else tensors.set(tensor, node);
      (tensors.get(tensor) as TensorNode).sibling = sibling;
    }
    for (const tensor of Object.values(step.output_map ?? {})) {
      const node = tensors.get(tensor);
      if (!node) continue;
      node.decoupled = composing.decoupled;
      node.model = model;
      for (const input of Object.values(step.input_map ?? {})) {
        const prev = tensors.get(input);
        if (!prev) continue;
        node.prev.push(prev);
        prev.next.push(node);
      }
    }
  }
  checkDecoupledFlow(config, tensors, report);
}

/** ValidateEnsembleConfig's walk: a step may not mix inputs from different decoupled branches. */
function checkDecoupledFlow(config: ModelConfig, tensors: Map<string, TensorNode>, report: Report) {
  let label = 0;
  const queue: TensorNode[] = [];
  for (const t of config.input ?? []) {
    const node = tensors.get(t.name ?? "");
    if (!node) continue;
    node.visited = true;
    queue.push(node);
  }
  const reported = new Set<string>();
  while (queue.length > 0) {
    const current = queue.shift() as TensorNode;
    for (const next of current.next) {
      if (next.visited || !next.prev.every((p) => p.visited)) continue;
      const first = next.prev[0]?.label ?? 0;
      if (next.prev.some((p) => p.label !== first)) {
        if (!reported.has(next.model))
          report(
            "error",
            "ensemble-decoupled",
            `the step of model ${next.model} receives inputs that come from different decoupled models`,
            "A decoupled model can send any number of responses; a step cannot join two such streams.",
          );
        reported.add(next.model);
        return;
      }
      if (next.sibling) {
        if (next.sibling.visited) next.label = next.sibling.label;
        else {
          next.label = next.decoupled ? ++label : first;
          next.sibling.label = next.label;
          next.sibling.visited = true;
        }
      } else next.label = next.decoupled ? ++label : first;
      next.visited = true;
      queue.push(next);
    }
  }
}
