import { at, type RuleContext, typeName } from "./rules-context.js";

/** All from core src/model_config_utils.cc ValidateModelConfig unless said otherwise. */

interface QueuePolicy {
  timeout_action?: string;
  default_timeout_microseconds?: number | string;
}
interface DynamicBatching {
  preferred_batch_size?: number[];
  preserve_ordering?: boolean;
  priority_levels?: number | string;
  default_priority_level?: number | string;
  default_queue_policy?: QueuePolicy;
  priority_queue_policy?: Record<string, QueuePolicy>;
}
interface Control {
  kind?: string | number;
  int32_false_true?: number[];
  fp32_false_true?: number[];
  bool_false_true?: boolean[];
  data_type?: string | number;
}
interface SequenceBatching {
  control_input?: { name?: string; control?: Control[] }[];
  oldest?: { preferred_batch_size?: number[] };
  direct?: { minimum_slot_utilization?: number };
}

const delays = (p: QueuePolicy | undefined) =>
  p?.timeout_action === "DELAY" && Number(p.default_timeout_microseconds ?? 0) !== 0;

export function checkDynamicBatching(ctx: RuleContext): void {
  const { config, report } = ctx;
  const batching = config.dynamic_batching as DynamicBatching | undefined;
  if (!batching) return;
  const maxBatch = Number(config.max_batch_size ?? 0);
  // ONNX Runtime and TensorRT set max_batch_size themselves when it is left out (auto-complete).
  const maxOpen = ctx.ioOpen && config.max_batch_size === undefined;
  for (const size of batching.preferred_batch_size ?? []) {
    if (size <= 0)
      report(
        "error",
        "dynamic-batching",
        `dynamic batching preferred size ${size} must be positive`,
        undefined,
        at(batching, "preferred_batch_size"),
      );
    else if (size > maxBatch)
      report(
        maxOpen ? "note" : "error",
        "dynamic-batching",
        `dynamic batching preferred size ${size} must be <= max_batch_size (${maxBatch})${maxOpen ? "; the backend may set max_batch_size" : ""}`,
        "Lower preferred_batch_size or raise max_batch_size.",
        at(batching, "preferred_batch_size"),
      );
  }
  if (maxBatch === 0 && !maxOpen)
    report(
      "warning",
      "dynamic-batching",
      "dynamic_batching has no effect with max_batch_size 0: requests are never batched",
      "Set max_batch_size (e.g. 8), or remove dynamic_batching.",
      at(config, "dynamic_batching"),
    );
  const levels = Number(batching.priority_levels ?? 0);
  if (levels !== 0) {
    const level = Number(batching.default_priority_level ?? 0);
    if (level === 0 || level > levels)
      report(
        "error",
        "priority-levels",
        `default_priority_level ${level} must be in the range [1, ${levels}] of priority_levels`,
        "Set default_priority_level to one of the levels.",
        at(
          batching,
          batching.default_priority_level === undefined ? "priority_levels" : "default_priority_level",
        ),
      );
    for (const key of Object.keys(batching.priority_queue_policy ?? {})) {
      const n = Number(key);
      if (n === 0 || n > levels)
        report(
          "error",
          "priority-levels",
          `priority_queue_policy names level ${key}; levels are in the range [1, ${levels}]`,
          undefined,
          at(batching.priority_queue_policy, key),
        );
    }
  }
  if (batching.preserve_ordering) {
    if (levels > 1)
      report(
        "error",
        "preserve-ordering",
        `only one priority level is allowed with preserve_ordering (priority_levels is ${levels})`,
        undefined,
        at(batching, "preserve_ordering"),
      );
    const policies = [batching.default_queue_policy, ...Object.values(batching.priority_queue_policy ?? {})];
    if (policies.some(delays))
      report(
        "error",
        "preserve-ordering",
        "a queue policy may not use timeout_action DELAY with preserve_ordering",
        "Use REJECT, or drop preserve_ordering.",
        at(batching, "preserve_ordering"),
      );
  }
}

const BOOLEAN_KINDS = ["CONTROL_SEQUENCE_START", "CONTROL_SEQUENCE_END", "CONTROL_SEQUENCE_READY"];
const CORRID_TYPES = new Set(["TYPE_UINT64", "TYPE_INT64", "TYPE_UINT32", "TYPE_INT32", "TYPE_STRING"]);

/** GetBooleanSequenceControlProperties and GetTypedSequenceControlProperties, for every control kind. */
export function checkSequenceBatching(ctx: RuleContext): void {
  const { config, report } = ctx;
  const sequence = config.sequence_batching as SequenceBatching | undefined;
  const cache = (config.response_cache as { enable?: boolean } | undefined)?.enable;
  const decoupled = (config.model_transaction_policy as { decoupled?: boolean } | undefined)?.decoupled;
  if (cache && decoupled)
    report(
      "error",
      "response-cache",
      "the response cache does not support decoupled models",
      "Disable response_cache.",
      at(config, "response_cache"),
    );
  if (!sequence) return;
  if (cache)
    report(
      "error",
      "response-cache",
      "the response cache does not support sequence batching",
      "Disable response_cache.",
      at(config, "response_cache"),
    );
  const names = new Set<string>();
  for (const input of sequence.control_input ?? []) {
    if (!input.name)
      report(
        "error",
        "sequence-control",
        "a sequence batching control tensor must have a name",
        undefined,
        at(input, "control"),
      );
    else if (names.has(input.name))
      report(
        "error",
        "sequence-control",
        `control tensor "${input.name}" is given for more than one control_input`,
        undefined,
        at(input, "name"),
      );
    if (input.name) names.add(input.name);
  }
  const controls = (sequence.control_input ?? []).flatMap((input) =>
    (input.control ?? []).map((control) => ({ input: input.name ?? "", control })),
  );
  for (const kind of [...BOOLEAN_KINDS, "CONTROL_SEQUENCE_CORRID"]) {
    const mine = controls.filter((c) => typeName(c.control.kind ?? "CONTROL_SEQUENCE_START") === kind);
    if (mine.length > 1)
      report(
        "error",
        "sequence-control",
        `sequence batching specifies ${kind} ${mine.length} times (tensors ${mine.map((c) => `"${c.input}"`).join(", ")}); each control kind may appear once`,
        undefined,
        at(mine[1]?.control, "kind"),
      );
    for (const { input, control } of mine) {
      const lists = (["int32_false_true", "fp32_false_true", "bool_false_true"] as const).filter(
        (k) => (control[k] ?? []).length > 0,
      );
      if (kind === "CONTROL_SEQUENCE_CORRID") {
        if (lists.length > 0)
          report(
            "error",
            "sequence-control",
            `${kind} ("${input}") takes no ${lists.join("/")}; it carries the correlation id itself`,
            undefined,
            at(control, lists[0] as string),
          );
        const type = typeName(control.data_type);
        if (!CORRID_TYPES.has(type))
          report(
            "error",
            "sequence-corrid",
            `${kind} ("${input}") has data_type ${type}; allowed are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING`,
            undefined,
            at(control, "data_type") ?? at(control, "kind"),
          );
        continue;
      }
      if (lists.length === 0)
        report(
          "error",
          "sequence-control",
          `${kind} ("${input}") needs its false/true values: int32_false_true, fp32_false_true or bool_false_true`,
          "e.g. int32_false_true: [ 0, 1 ]",
          at(control, "kind"),
        );
      else if (lists.length > 1)
        report(
          "error",
          "sequence-control",
          `${kind} ("${input}") gives more than one of ${lists.join(", ")}`,
          undefined,
          at(control, lists[1] as string),
        );
      else if ((control[lists[0] as (typeof lists)[number]] ?? []).length !== 2)
        report(
          "error",
          "sequence-control",
          `${kind} ("${input}"): ${lists[0]} must have exactly 2 entries (false, true)`,
          undefined,
          at(control, lists[0] as string),
        );
    }
  }
  const maxBatch = Number(config.max_batch_size ?? 0);
  for (const size of sequence.oldest?.preferred_batch_size ?? []) {
    if (size <= 0 || size > maxBatch)
      report(
        "error",
        "sequence-strategy",
        `sequence batching preferred batch size ${size} must be ${size <= 0 ? "positive" : `<= max_batch_size (${maxBatch})`}`,
        undefined,
        at(sequence.oldest, "preferred_batch_size"),
      );
  }
  const utilization = sequence.direct?.minimum_slot_utilization;
  if (utilization !== undefined && (utilization < 0 || utilization > 1))
    report(
      "error",
      "sequence-strategy",
      `minimum_slot_utilization ${utilization} must be in the range (0.0, 1.0]`,
      undefined,
      at(sequence.direct, "minimum_slot_utilization"),
    );
}
