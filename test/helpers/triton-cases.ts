/**
 * The differential cases: model folders generated per rule family, each
 * loaded into a real tritonserver and validated by mserve. Models use the
 * Python backend (the only one in the server nvidia-pytriton ships) or the
 * Python-based "identity" backend the harness installs (no model file), so
 * every rule core applies before or around the backend is exercised.
 */

export type Mode = "default" | "strict";

/** relative path → content; null makes an empty folder. */
export type ModelFiles = Record<string, string | null>;

export interface HarnessCase {
  id: string;
  family: string;
  what: string;
  /** Folder name → files. The loaded model is `id`; helpers are `${id}_<x>`. */
  models: Record<string, ModelFiles>;
  /** Outcome depends on the host's GPUs: mserve warns instead of refusing. */
  machineDependent?: boolean;
  /**
   * A Python model file is missing: Triton 2.51 never answers the load (the
   * harness reads the stub's error from the log and restarts the server).
   */
  hangs?: boolean;
}

/**
 * Triton's Python stub ignores PYTHONPATH, and triton_python_backend_utils needs
 * numpy from the venv: put the venv's site-packages on sys.path first, as
 * mserve's own Triton templates do.
 */
export const SYS_PATH = `import os
import sys

for entry in reversed(os.environ.get("PYTHONPATH", "").split(os.pathsep)):
    if entry and entry not in sys.path:
        sys.path.insert(0, entry)

`;

/** A Python model with nothing else to import: the stub starts fast. */
export const PY = `${SYS_PATH}class TritonPythonModel:
    def execute(self, requests):
        return []
`;

/** A Python model whose auto_complete_config fills what the config leaves out. */
export const PY_AUTO = `${SYS_PATH}class TritonPythonModel:
    @staticmethod
    def auto_complete_config(config):
        current = config.as_dict()
        for tensor in current["input"]:
            config.add_input({"name": tensor["name"], "data_type": "TYPE_FP32", "dims": [4]})
        for tensor in current["output"]:
            config.add_output({"name": tensor["name"], "data_type": "TYPE_FP32", "dims": [4]})
        if not current["input"]:
            config.add_input({"name": "X", "data_type": "TYPE_FP32", "dims": [4]})
        if not current["output"]:
            config.add_output({"name": "Y", "data_type": "TYPE_FP32", "dims": [4]})
        return config

    def execute(self, requests):
        return []
`;

const t = (name: string, type = "TYPE_FP32", dims = "[ 4 ]", extra = "") =>
  `{ name: "${name}"${type ? ` data_type: ${type}` : ""}${dims ? ` dims: ${dims}` : ""}${extra ? ` ${extra}` : ""} }`;
const XY = `input [ ${t("X")} ]\noutput [ ${t("Y")} ]\n`;
const python = (body: string, file = PY): ModelFiles => ({
  "config.pbtxt": `backend: "python"\n${body}`,
  "1/model.py": file,
});
const raw = (config: string, files: ModelFiles = { "1/model.py": PY }): ModelFiles => ({
  "config.pbtxt": config,
  ...files,
});

const cases: HarnessCase[] = [];
const add = (
  family: string,
  id: string,
  what: string,
  models: ModelFiles | Record<string, ModelFiles>,
  extra: Partial<HarnessCase> = {},
) => {
  const isMulti = !Object.keys(models).some((k) => k.includes("/") || k.endsWith(".pbtxt"));
  cases.push({
    id,
    family,
    what,
    models: isMulti ? (models as Record<string, ModelFiles>) : { [id]: models as ModelFiles },
    ...extra,
  });
};

// ── backend / platform (core AutoCompleteBackendFields, ValidateModelConfig) ──
add("backend", "be_python", "a plain Python model", python(`max_batch_size: 8\n${XY}`));
add(
  "backend",
  "be_pair",
  "onnxruntime backend with a PyTorch platform",
  raw(`backend: "onnxruntime"\nplatform: "pytorch_libtorch"\n${XY}`),
);
add(
  "backend",
  "be_unknown_platform",
  "an unknown platform and no backend",
  raw(`platform: "caffe2_netdef"\n${XY}`),
);
add(
  "backend",
  "be_ensemble_backend",
  "an ensemble that sets a backend",
  raw(`platform: "ensemble"\nbackend: "python"\n${XY}`),
);
add("backend", "be_from_file", "no backend: Triton picks python from 1/model.py", raw(XY));
add(
  "backend",
  "be_undeterminable",
  "no backend, no known file, no dot in the name",
  raw(XY, { "1/readme.txt": "" }),
);
add(
  "backend",
  "be_tf_no_platform",
  "backend tensorflow without a platform or a TF file",
  raw(`backend: "tensorflow"\n${XY}`, { "1/model.py": PY }),
);
add(
  "backend",
  "be_python_odd_platform",
  "python backend with an unrelated platform (python is not paired)",
  raw(`backend: "python"\nplatform: "pytorch_libtorch"\n${XY}`),
);
add(
  "backend",
  "be_custom_no_file",
  "a Python-based custom backend needs no model file",
  raw(`backend: "identity"\n${XY}`, { "1": null }),
);
add("backend", "be_name.identity", "no backend: Triton takes it from the model name", raw(XY, { "1": null }));
add(
  "backend",
  "be_vllm_layout",
  "a vLLM-style model: backend vllm, 1/model.json, no model.vllm",
  raw(`backend: "vllm"\nmax_batch_size: 0\nmodel_transaction_policy { decoupled: true }\n${XY}`, {
    "1/model.json": '{"model": "facebook/opt-125m"}',
  }),
);
add(
  "backend",
  "be_trtllm_layout",
  "a TensorRT-LLM-style model: the engine path is a parameter, the version folder empty",
  raw(
    `backend: "tensorrtllm"\nmax_batch_size: 4\n${XY}parameters { key: "gpt_model_path" value: { string_value: "/engines/llama" } }\n`,
    { "1": null },
  ),
);
add(
  "backend",
  "be_repeat_autocomplete",
  "a repeat-style backend whose inputs and outputs come from its auto-complete",
  raw(`backend: "repeat"\nmax_batch_size: 0\n`, { "1": null }),
);
add(
  "backend",
  "be_ensemble_no_sched",
  "platform ensemble without ensemble_scheduling",
  raw(`platform: "ensemble"\n${XY}`, { "1": null }),
);

// ── inputs and outputs (ValidateIOShape; after the backend's auto-complete in default mode) ──
add("io", "io_ok", "inputs and outputs complete", python(`max_batch_size: 0\n${XY}`));
add(
  "io",
  "io_no_dims",
  "an input without dims",
  python(`input [ ${t("X", "TYPE_FP32", "")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_no_dims_auto",
  "an input without dims, filled by model.py's auto_complete_config",
  python(`input [ ${t("X", "TYPE_FP32", "")} ]\noutput [ ${t("Y")} ]\n`, PY_AUTO),
);
add(
  "io",
  "io_no_type",
  "an output without data_type",
  python(`input [ ${t("X")} ]\noutput [ ${t("Y", "")} ]\n`),
);
add(
  "io",
  "io_no_type_auto",
  "an output without data_type, filled by auto_complete_config",
  python(`input [ ${t("X")} ]\noutput [ ${t("Y", "")} ]\n`, PY_AUTO),
);
add(
  "io",
  "io_no_io_auto",
  "no inputs or outputs at all, auto_complete_config adds them",
  python("max_batch_size: 0\n", PY_AUTO),
);
add("io", "io_none", "a Python model with no inputs or outputs", python("max_batch_size: 0\n"));
add(
  "io",
  "io_no_name",
  "an input without a name",
  python(`input [ { data_type: TYPE_FP32 dims: [ 4 ] } ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_dim_zero",
  "a zero dim",
  python(`input [ ${t("X", "TYPE_FP32", "[ 0 ]")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_dim_neg2",
  "a -2 dim",
  python(`input [ ${t("X", "TYPE_FP32", "[ 4, -2 ]")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_batch_in_dims",
  "a leading -1 with batching (a warning, it loads)",
  python(`max_batch_size: 8\ninput [ ${t("X", "TYPE_FP32", "[ -1, 4 ]")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_nhwc_2d",
  "FORMAT_NHWC with 2 dims",
  python(`input [ ${t("X", "TYPE_FP32", "[ 4, 4 ]", "format: FORMAT_NHWC")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_nchw_3d",
  "FORMAT_NCHW with 3 dims",
  python(`input [ ${t("X", "TYPE_FP32", "[ 3, 4, 4 ]", "format: FORMAT_NCHW")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_shape_tensor",
  "is_shape_tensor on a Python model",
  python(`input [ ${t("X", "TYPE_INT32", "[ 2 ]", "is_shape_tensor: true")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_duplicate",
  "two inputs with one name",
  python(`input [ ${t("X")}, ${t("X", "TYPE_INT32")} ]\noutput [ ${t("Y")} ]\n`),
);
add(
  "io",
  "io_output_no_dims",
  "an output without dims",
  python(`input [ ${t("X")} ]\noutput [ ${t("Y", "TYPE_FP32", "")} ]\n`),
);
add(
  "io",
  "io_label_missing",
  "a label_filename that is not there",
  python(`input [ ${t("X")} ]\noutput [ ${t("Y", "TYPE_FP32", "[ 4 ]", 'label_filename: "labels.txt"')} ]\n`),
);
add("io", "io_label_present", "a label_filename next to config.pbtxt", {
  ...python(
    `input [ ${t("X")} ]\noutput [ ${t("Y", "TYPE_FP32", "[ 4 ]", 'label_filename: "labels.txt"')} ]\n`,
  ),
  "labels.txt": "a\nb\nc\nd\n",
});
add(
  "io",
  "io_optional_input",
  "an optional input",
  python(`input [ ${t("X", "TYPE_FP32", "[ 4 ]", "optional: true")} ]\noutput [ ${t("Y")} ]\n`),
);

// ── reshape (ValidateIOShape) ──
const reshape = (dims: string, shape: string, mbs = 0) =>
  python(
    `max_batch_size: ${mbs}\ninput [ ${t("X", "TYPE_FP32", dims, `reshape: { shape: ${shape} }`)} ]\noutput [ ${t("Y")} ]\n`,
  );
add("reshape", "rs_zero", "a zero in the reshape", reshape("[ 4 ]", "[ 0, 4 ]"));
add("reshape", "rs_neg", "a -3 in the reshape", reshape("[ 4 ]", "[ -3 ]"));
add("reshape", "rs_count", "reshape with another element count", reshape("[ 4 ]", "[ 3 ]"));
add("reshape", "rs_ok", "reshape 4 → 2x2", reshape("[ 4 ]", "[ 2, 2 ]"));
add("reshape", "rs_var_both", "-1 in dims and reshape, chunks equal", reshape("[ -1, 4 ]", "[ -1, 2, 2 ]"));
add("reshape", "rs_var_dims_only", "-1 only in dims", reshape("[ -1 ]", "[ 4 ]"));
add("reshape", "rs_var_shape_only", "-1 only in reshape", reshape("[ 4 ]", "[ -1 ]"));
add("reshape", "rs_var_chunks", "-1 in both, chunks differ", reshape("[ 2, -1, 3 ]", "[ 3, -1, 2 ]"));
add("reshape", "rs_var_count", "two -1 in dims, one in reshape", reshape("[ -1, -1 ]", "[ -1 ]"));
add("reshape", "rs_empty_nobatch", "an empty reshape without batching", reshape("[ 1 ]", "[ ]"));
add("reshape", "rs_empty_batch", "an empty reshape with batching", reshape("[ 1 ]", "[ ]", 4));
add("reshape", "rs_empty_two", "an empty reshape of two elements", reshape("[ 2 ]", "[ ]", 4));
add("reshape", "rs_var_batch", "-1 reshape with batching", reshape("[ -1, 6 ]", "[ -1, 2, 3 ]", 8));

// ── batching (ValidateModelConfig: max_batch_size, dynamic_batching, priorities) ──
const batching = (mbs: number, dynamic: string) =>
  python(`max_batch_size: ${mbs}\n${XY}dynamic_batching { ${dynamic} }\n`);
add("batching", "bt_mbs_negative", "max_batch_size -1", python(`max_batch_size: -1\n${XY}`));
add("batching", "bt_pref_zero", "preferred_batch_size 0", batching(8, "preferred_batch_size: [ 0 ]"));
add(
  "batching",
  "bt_pref_big",
  "preferred_batch_size above max_batch_size",
  batching(8, "preferred_batch_size: [ 16 ]"),
);
add(
  "batching",
  "bt_pref_ok",
  "preferred sizes within max_batch_size",
  batching(8, "preferred_batch_size: [ 2, 8 ]"),
);
add("batching", "bt_dynamic_nobatch", "dynamic_batching with max_batch_size 0", batching(0, ""));
add(
  "batching",
  "bt_pref_nobatch",
  "preferred size with max_batch_size 0",
  batching(0, "preferred_batch_size: [ 2 ]"),
);
add(
  "batching",
  "bt_prio_default0",
  "two priority levels, no default level",
  batching(8, "priority_levels: 2"),
);
add(
  "batching",
  "bt_prio_default3",
  "default level above the levels",
  batching(8, "priority_levels: 2 default_priority_level: 3"),
);
add(
  "batching",
  "bt_prio_ok",
  "two levels, default 1",
  batching(8, "priority_levels: 2 default_priority_level: 1"),
);
add(
  "batching",
  "bt_prio_policy_key",
  "a queue policy for level 3 of 2",
  batching(
    8,
    "priority_levels: 2 default_priority_level: 1 priority_queue_policy { key: 3 value: { max_queue_size: 4 } }",
  ),
);
add(
  "batching",
  "bt_prio_policy_key0",
  "a queue policy for level 0",
  batching(
    8,
    "priority_levels: 2 default_priority_level: 1 priority_queue_policy { key: 0 value: { max_queue_size: 4 } }",
  ),
);
add(
  "batching",
  "bt_order_levels",
  "preserve_ordering with two priority levels",
  batching(8, "preserve_ordering: true priority_levels: 2 default_priority_level: 1"),
);
add(
  "batching",
  "bt_order_one_level",
  "preserve_ordering with one priority level",
  batching(8, "preserve_ordering: true priority_levels: 1 default_priority_level: 1"),
);
add(
  "batching",
  "bt_order_delay",
  "preserve_ordering with a DELAY default policy",
  batching(
    8,
    "preserve_ordering: true default_queue_policy { timeout_action: DELAY default_timeout_microseconds: 100 }",
  ),
);
add(
  "batching",
  "bt_order_delay0",
  "preserve_ordering, DELAY without a timeout",
  batching(8, "preserve_ordering: true default_queue_policy { timeout_action: DELAY }"),
);
add(
  "batching",
  "bt_order_prio_delay",
  "preserve_ordering, DELAY in a priority policy",
  batching(
    8,
    "preserve_ordering: true priority_levels: 1 default_priority_level: 1 priority_queue_policy { key: 1 value: { timeout_action: DELAY default_timeout_microseconds: 5 } }",
  ),
);

// ── batch_input / batch_output (ValidateBatchIO) ──
const batchIo = (section: string) => python(`max_batch_size: 8\n${XY}${section}\n`);
add(
  "batch-io",
  "bi_ok",
  "a batch input with one source",
  batchIo(
    'batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "N" data_type: TYPE_INT32 source_input: "X" } ]',
  ),
);
add(
  "batch-io",
  "bi_no_source",
  "a batch input with no source",
  batchIo('batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "N" data_type: TYPE_INT32 } ]'),
);
add(
  "batch-io",
  "bi_two_sources",
  "a batch input with two sources",
  batchIo(
    'batch_input [ { kind: BATCH_ITEM_SHAPE target_name: "N" data_type: TYPE_INT32 source_input: [ "X", "X" ] } ]',
  ),
);
add(
  "batch-io",
  "bi_unknown_source",
  "a batch input whose source is not an input",
  batchIo(
    'batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "N" data_type: TYPE_INT32 source_input: "Q" } ]',
  ),
);
add(
  "batch-io",
  "bi_fp16",
  "a batch input of TYPE_FP16",
  batchIo(
    'batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "N" data_type: TYPE_FP16 source_input: "X" } ]',
  ),
);
add(
  "batch-io",
  "bi_no_type",
  "a batch input without data_type",
  batchIo('batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "N" source_input: "X" } ]'),
);
add(
  "batch-io",
  "bi_unknown_kind",
  "a batch input kind number Triton does not know",
  batchIo('batch_input [ { kind: 17 target_name: "N" data_type: TYPE_INT32 source_input: "X" } ]'),
);
add(
  "batch-io",
  "bo_ok",
  "a batch output scattered with its input's shape",
  batchIo('batch_output [ { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "Y" source_input: "X" } ]'),
);
add(
  "batch-io",
  "bo_unknown_target",
  "a batch output whose target is not an output",
  batchIo('batch_output [ { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "Q" source_input: "X" } ]'),
);
add(
  "batch-io",
  "bo_dup_target",
  "a batch output naming a target twice",
  batchIo(
    'batch_output [ { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: [ "Y", "Y" ] source_input: "X" } ]',
  ),
);
add(
  "batch-io",
  "bo_unknown_source",
  "a batch output whose source is not an input",
  batchIo('batch_output [ { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "Y" source_input: "Q" } ]'),
);
add(
  "batch-io",
  "bo_two_sources",
  "a batch output with two sources",
  batchIo(
    'batch_output [ { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "Y" source_input: [ "X", "X" ] } ]',
  ),
);

// ── sequence batching (GetBoolean/TypedSequenceControlProperties) ──
const control = (name: string, body: string) => `{ name: "${name}" control [ { ${body} } ] }`;
const sequence = (body: string, mbs = 4) =>
  python(`max_batch_size: ${mbs}\n${XY}sequence_batching { ${body} }\n`);
add("sequence", "sq_plain", "sequence_batching with no controls", sequence(""));
add(
  "sequence",
  "sq_start_ok",
  "a START control with int32 values",
  sequence(`control_input [ ${control("S", "kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ]")} ]`),
);
add(
  "sequence",
  "sq_start_twice",
  "START given for two tensors",
  sequence(
    `control_input [ ${control("S", "kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ]")}, ${control("S2", "kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ]")} ]`,
  ),
);
add(
  "sequence",
  "sq_no_value",
  "a READY control with no false/true values",
  sequence(`control_input [ ${control("R", "kind: CONTROL_SEQUENCE_READY")} ]`),
);
add(
  "sequence",
  "sq_two_lists",
  "an END control with int32 and fp32 values",
  sequence(
    `control_input [ ${control("E", "kind: CONTROL_SEQUENCE_END int32_false_true: [ 0, 1 ] fp32_false_true: [ 0, 1 ]")} ]`,
  ),
);
add(
  "sequence",
  "sq_three_values",
  "int32_false_true with three entries",
  sequence(`control_input [ ${control("S", "kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1, 2 ]")} ]`),
);
add(
  "sequence",
  "sq_bool_ok",
  "a START control with bool values",
  sequence(
    `control_input [ ${control("S", "kind: CONTROL_SEQUENCE_START bool_false_true: [ false, true ]")} ]`,
  ),
);
add(
  "sequence",
  "sq_same_tensor",
  "one tensor for two control_inputs",
  sequence(
    `control_input [ ${control("S", "kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ]")}, ${control("S", "kind: CONTROL_SEQUENCE_END int32_false_true: [ 0, 1 ]")} ]`,
  ),
);
add(
  "sequence",
  "sq_no_name",
  "a control input without a name",
  sequence("control_input [ { control [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ] } ]"),
);
add(
  "sequence",
  "sq_corrid_ok",
  "a CORRID control of TYPE_UINT64",
  sequence(`control_input [ ${control("C", "kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64")} ]`),
);
add(
  "sequence",
  "sq_corrid_fp32",
  "a CORRID control of TYPE_FP32",
  sequence(`control_input [ ${control("C", "kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_FP32")} ]`),
);
add(
  "sequence",
  "sq_corrid_values",
  "a CORRID control with false/true values",
  sequence(
    `control_input [ ${control("C", "kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_INT64 int32_false_true: [ 0, 1 ]")} ]`,
  ),
);
add(
  "sequence",
  "sq_corrid_no_type",
  "a CORRID control without data_type",
  sequence(`control_input [ ${control("C", "kind: CONTROL_SEQUENCE_CORRID")} ]`),
);
add(
  "sequence",
  "sq_oldest_big",
  "oldest strategy preferring a batch above max_batch_size",
  sequence("oldest { preferred_batch_size: [ 8 ] }"),
);
add(
  "sequence",
  "sq_oldest_ok",
  "oldest strategy within max_batch_size",
  sequence("oldest { max_candidate_sequences: 4 preferred_batch_size: [ 2 ] }"),
);
add(
  "sequence",
  "sq_direct_util",
  "direct strategy with minimum_slot_utilization 1.5",
  sequence("direct { minimum_slot_utilization: 1.5 }"),
);
add(
  "sequence",
  "sq_implicit_state",
  "an implicit-state sequence model",
  sequence(
    'state [ { input_name: "INPUT_STATE" output_name: "OUTPUT_STATE" data_type: TYPE_FP32 dims: [ 4 ] } ]',
  ),
);
add(
  "sequence",
  "sq_cache",
  "the response cache with sequence batching",
  python(`max_batch_size: 4\n${XY}sequence_batching { }\nresponse_cache { enable: true }\n`),
);
add(
  "sequence",
  "sq_decoupled_cache",
  "the response cache on a decoupled model",
  python(
    `max_batch_size: 0\n${XY}model_transaction_policy { decoupled: true }\nresponse_cache { enable: true }\n`,
  ),
);
add(
  "sequence",
  "sq_decoupled",
  "a decoupled model",
  python(`max_batch_size: 0\n${XY}model_transaction_policy { decoupled: true }\n`),
);

// ── instance groups (NormalizeInstanceGroup, ValidateInstanceGroup) ──
const group = (body: string) => python(`max_batch_size: 0\n${XY}instance_group [ { ${body} } ]\n`);
add("instance-group", "ig_cpu_gpus", "KIND_CPU listing gpus", group("kind: KIND_CPU gpus: [ 0 ]"));
add("instance-group", "ig_model_gpus", "KIND_MODEL listing gpus", group("kind: KIND_MODEL gpus: [ 0 ]"));
add("instance-group", "ig_gpu_negative", "KIND_GPU with GPU id -1", group("kind: KIND_GPU gpus: [ -1 ]"));
add("instance-group", "ig_auto_negative", "no kind, GPU id -1", group("gpus: [ -1 ]"));
add("instance-group", "ig_cpu_count", "KIND_CPU with count 2", group("kind: KIND_CPU count: 2"));
add("instance-group", "ig_count_zero", "count 0 (Triton uses its default)", group("kind: KIND_CPU count: 0"));
add(
  "instance-group",
  "ig_profile",
  "a TensorRT profile on a Python model",
  group('kind: KIND_CPU profile: [ "0" ]'),
);
add("instance-group", "ig_model_kind", "KIND_MODEL", group("kind: KIND_MODEL"));
add("instance-group", "ig_gpu", "KIND_GPU on this host", group("kind: KIND_GPU"), { machineDependent: true });
add("instance-group", "ig_auto_gpu0", "no kind, gpus [0], on this host", group("gpus: [ 0 ]"), {
  machineDependent: true,
});

// ── versions and files (VersionsToLoad; the Python backend's model file) ──
const cfg = `backend: "python"\nmax_batch_size: 0\n${XY}`;
add("versions", "vf_none", "no version folder", { "config.pbtxt": cfg });
add("versions", "vf_leading_zero", "only a 01 folder", raw(cfg, { "01/model.py": PY }));
add(
  "versions",
  "vf_specific_some",
  "specific [1, 3] with only 1 present",
  raw(`${cfg}version_policy: { specific: { versions: [ 1, 3 ] } }\n`),
);
add(
  "versions",
  "vf_specific_none",
  "specific [3] with only 1 present",
  raw(`${cfg}version_policy: { specific: { versions: [ 3 ] } }\n`),
);
add(
  "versions",
  "vf_latest_zero",
  "latest without num_versions",
  raw(`${cfg}version_policy: { latest: { } }\n`),
);
add(
  "versions",
  "vf_latest_two",
  "latest 2 of two versions",
  raw(`${cfg}version_policy: { latest: { num_versions: 2 } }\n`, { "1/model.py": PY, "2/model.py": PY }),
);
add(
  "versions",
  "vf_all",
  "all versions",
  raw(`${cfg}version_policy: { all: { } }\n`, { "1/model.py": PY, "3/model.py": PY }),
);
add("versions", "vf_no_model_py", "a version folder without model.py", raw(cfg, { "1/readme.txt": "" }), {
  hangs: true,
});
add(
  "versions",
  "vf_default_filename",
  "default_model_filename other.py",
  raw(`${cfg}default_model_filename: "other.py"\n`, { "1/other.py": PY }),
);
add(
  "versions",
  "vf_default_filename_missing",
  "default_model_filename that is not there",
  raw(`${cfg}default_model_filename: "other.py"\n`),
  { hangs: true },
);
add(
  "versions",
  "vf_stray_folder",
  "a v1 folder next to 1",
  raw(cfg, { "1/model.py": PY, "v1/notes.txt": "" }),
);
add(
  "versions",
  "vf_old_version_broken",
  "version 1 lacks model.py, latest loads only 2",
  raw(cfg, { "1/readme.txt": "", "2/model.py": PY }),
);
add(
  "versions",
  "vf_all_one_broken",
  "all versions, version 1 lacks model.py",
  raw(`${cfg}version_policy: { all: { } }\n`, { "1/readme.txt": "", "2/model.py": PY }),
  { hangs: true },
);

// ── config file (ReadTextProto, names, autofill without config.pbtxt) ──
add("config", "cf_syntax", "a field name Triton does not know", raw(`backend: "python"\ninputs [ ]\n`));
add("config", "cf_name_mismatch", "name differs from the folder", raw(`name: "other"\n${cfg}`));
add("config", "cf_missing", "no config.pbtxt, a model.py", { "1/model.py": PY });
add("config", "cf_missing_auto", "no config.pbtxt, a model.py with auto_complete_config", {
  "1/model.py": PY_AUTO,
});
add(
  "config",
  "cf_warmup_zero",
  "a warmup sample of batch 0 (skipped)",
  python(
    `max_batch_size: 0\n${XY}model_warmup [ { name: "w" batch_size: 0 inputs { key: "X" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } } ]\n`,
  ),
);
add(
  "config",
  "cf_warmup_var",
  "a warmup input with a -1 dim",
  python(
    `max_batch_size: 0\n${XY}model_warmup [ { name: "w" batch_size: 1 inputs { key: "X" value: { data_type: TYPE_FP32 dims: [ -1 ] zero_data: true } } } ]\n`,
  ),
);

// ── ensembles (ValidateEnsembleSchedulingConfig, dependency graph, ValidateEnsembleConfig) ──
const step = (
  model: string,
  inputs: Record<string, string>,
  outputs: Record<string, string>,
  version = "-1",
) =>
  `{ model_name: "${model}"${version === "" ? "" : ` model_version: ${version}`} ${Object.entries(inputs)
    .map(([k, v]) => `input_map { key: "${k}" value: "${v}" }`)
    .join(" ")} ${Object.entries(outputs)
    .map(([k, v]) => `output_map { key: "${k}" value: "${v}" }`)
    .join(" ")} }`;
const ensemble = (io: string, steps: string[], mbs = 0, extra = ""): ModelFiles => ({
  "config.pbtxt": `platform: "ensemble"\nmax_batch_size: ${mbs}\n${io}ensemble_scheduling { step [ ${steps.join(", ")} ] }\n${extra}`,
  "1": null,
});
const member = (inName = "X", outName = "Y", mbs = 0, type = "TYPE_FP32", dims = "[ 4 ]", extra = "") =>
  python(
    `max_batch_size: ${mbs}\ninput [ ${t(inName, type, dims)} ]\noutput [ ${t(outName, type, dims)} ]\n${extra}`,
  );
const EIO = `input [ ${t("IN")} ]\noutput [ ${t("OUT")} ]\n`;
const chain = (id: string, extraEnsemble = "", mbs = 0) => ({
  [id]: ensemble(
    EIO,
    [step(`${id}_a`, { X: "IN" }, { Y: "MID" }), step(`${id}_b`, { X: "MID" }, { Y: "OUT" })],
    mbs,
    extraEnsemble,
  ),
  [`${id}_a`]: member(),
  [`${id}_b`]: member(),
});
add("ensemble", "en_ok", "IN → a → b → OUT", chain("en_ok"));
add("ensemble", "en_identity", "two steps of the Python-based identity backend (no model files)", {
  en_identity: ensemble(EIO, [
    step("en_identity_a", { X: "IN" }, { Y: "MID" }),
    step("en_identity_b", { X: "MID" }, { Y: "OUT" }),
  ]),
  en_identity_a: raw(`backend: "identity"\nmax_batch_size: 0\n${XY}`, { "1": null }),
  en_identity_b: raw(`backend: "identity"\nmax_batch_size: 0\n${XY}`, { "1": null }),
});
add(
  "ensemble",
  "en_autocompleted_step",
  "a step whose inputs and outputs only the identity backend's auto-complete adds",
  {
    en_autocompleted_step: ensemble(
      `input [ ${t("IN", "TYPE_FP32", "[ -1 ]")} ]\noutput [ ${t("OUT", "TYPE_FP32", "[ -1 ]")} ]\n`,
      [step("en_autocompleted_step_a", { INPUT0: "IN" }, { OUTPUT0: "OUT" })],
    ),
    en_autocompleted_step_a: raw(`backend: "identity"\nmax_batch_size: 0\n`, { "1": null }),
  },
);
add("ensemble", "en_missing_model", "a step model that is not in the repository", {
  en_missing_model: ensemble(EIO, [step("en_missing_model_ghost", { X: "IN" }, { Y: "OUT" })]),
});
add("ensemble", "en_self", "an ensemble whose step is itself", {
  en_self: ensemble(EIO, [step("en_self", { IN: "IN" }, { OUT: "OUT" })]),
});
add("ensemble", "en_cycle", "two ensembles using each other", {
  en_cycle: ensemble(EIO, [step("en_cycle_other", { IN: "IN" }, { OUT: "OUT" })]),
  en_cycle_other: ensemble(EIO, [step("en_cycle", { IN: "IN" }, { OUT: "OUT" })]),
});
add("ensemble", "en_nested", "an ensemble using another ensemble", {
  en_nested: ensemble(EIO, [step("en_nested_inner", { IN: "IN" }, { OUT: "OUT" })]),
  ...Object.fromEntries(Object.entries(chain("en_nested_inner"))),
});
add("ensemble", "en_flow_loop", "two steps feeding each other", {
  en_flow_loop: ensemble(`input [ ${t("IN")} ]\noutput [ ${t("OUT")} ]\n`, [
    step("en_flow_loop_a", { X: "LOOP" }, { Y: "MID" }),
    step("en_flow_loop_b", { X: "MID" }, { Y: "LOOP" }),
    step("en_flow_loop_c", { X: "IN", Z: "MID" }, { Y: "OUT" }),
  ]),
  en_flow_loop_a: member(),
  en_flow_loop_b: member(),
  en_flow_loop_c: python(`max_batch_size: 0\ninput [ ${t("X")}, ${t("Z")} ]\noutput [ ${t("Y")} ]\n`),
});
add("ensemble", "en_input_unused", "an ensemble input no step reads", {
  en_input_unused: ensemble(`input [ ${t("IN")}, ${t("SPARE")} ]\noutput [ ${t("OUT")} ]\n`, [
    step("en_input_unused_a", { X: "IN" }, { Y: "OUT" }),
  ]),
  en_input_unused_a: member(),
});
add("ensemble", "en_output_unwritten", "an ensemble output no step writes", {
  en_output_unwritten: ensemble(`input [ ${t("IN")} ]\noutput [ ${t("OUT")}, ${t("OUT2")} ]\n`, [
    step("en_output_unwritten_a", { X: "IN" }, { Y: "OUT" }),
  ]),
  en_output_unwritten_a: member(),
});
add("ensemble", "en_tensor_unused", "a step output nothing reads", {
  en_tensor_unused: ensemble(EIO, [step("en_tensor_unused_a", { X: "IN" }, { Y: "OUT", Y2: "EXTRA" })]),
  en_tensor_unused_a: python(`max_batch_size: 0\ninput [ ${t("X")} ]\noutput [ ${t("Y")}, ${t("Y2")} ]\n`),
});
add("ensemble", "en_written_twice", "two steps writing one tensor", {
  en_written_twice: ensemble(EIO, [
    step("en_written_twice_a", { X: "IN" }, { Y: "OUT" }),
    step("en_written_twice_b", { X: "IN" }, { Y: "OUT" }),
  ]),
  en_written_twice_a: member(),
  en_written_twice_b: member(),
});
add("ensemble", "en_bad_input_key", "a step mapping an input its model does not have", {
  en_bad_input_key: ensemble(EIO, [step("en_bad_input_key_a", { X: "IN", NOPE: "IN" }, { Y: "OUT" })]),
  en_bad_input_key_a: member(),
});
add("ensemble", "en_unmapped_input", "a step leaving a required model input unmapped", {
  en_unmapped_input: ensemble(EIO, [step("en_unmapped_input_a", { X: "IN" }, { Y: "OUT" })]),
  en_unmapped_input_a: python(`max_batch_size: 0\ninput [ ${t("X")}, ${t("Z")} ]\noutput [ ${t("Y")} ]\n`),
});
add("ensemble", "en_unmapped_optional", "a step leaving an optional model input unmapped", {
  en_unmapped_optional: ensemble(EIO, [step("en_unmapped_optional_a", { X: "IN" }, { Y: "OUT" })]),
  en_unmapped_optional_a: python(
    `max_batch_size: 0\ninput [ ${t("X")}, ${t("Z", "TYPE_FP32", "[ 4 ]", "optional: true")} ]\noutput [ ${t("Y")} ]\n`,
  ),
});
add("ensemble", "en_bad_output_key", "a step mapping an output its model does not have", {
  en_bad_output_key: ensemble(EIO, [step("en_bad_output_key_a", { X: "IN" }, { NOPE: "OUT" })]),
  en_bad_output_key_a: member(),
});
add("ensemble", "en_dtype", "an FP32 ensemble input into an INT32 model input", {
  en_dtype: ensemble(EIO, [step("en_dtype_a", { X: "IN" }, { Y: "OUT" })]),
  en_dtype_a: member("X", "Y", 0, "TYPE_INT32"),
});
add("ensemble", "en_shape", "a [3] ensemble input into a [4] model input", {
  en_shape: ensemble(`input [ ${t("IN", "TYPE_FP32", "[ 3 ]")} ]\noutput [ ${t("OUT")} ]\n`, [
    step("en_shape_a", { X: "IN" }, { Y: "OUT" }),
  ]),
  en_shape_a: member(),
});
add("ensemble", "en_shape_wildcard", "a [-1] ensemble input into a [4] model input", {
  en_shape_wildcard: ensemble(`input [ ${t("IN", "TYPE_FP32", "[ -1 ]")} ]\noutput [ ${t("OUT")} ]\n`, [
    step("en_shape_wildcard_a", { X: "IN" }, { Y: "OUT" }),
  ]),
  en_shape_wildcard_a: member(),
});
add("ensemble", "en_batch_too_big", "an ensemble batching more than its step", {
  en_batch_too_big: ensemble(EIO, [step("en_batch_too_big_a", { X: "IN" }, { Y: "OUT" })], 8),
  en_batch_too_big_a: member("X", "Y", 4),
});
add("ensemble", "en_batch_mixed", "a non-batching ensemble [-1,4] over a batching step [4]", {
  en_batch_mixed: ensemble(
    `input [ ${t("IN", "TYPE_FP32", "[ -1, 4 ]")} ]\noutput [ ${t("OUT", "TYPE_FP32", "[ -1, 4 ]")} ]\n`,
    [step("en_batch_mixed_a", { X: "IN" }, { Y: "OUT" })],
  ),
  en_batch_mixed_a: member("X", "Y", 8),
});
add("ensemble", "en_version_missing", "a step requiring version 2 of a model with version 1", {
  en_version_missing: ensemble(EIO, [step("en_version_missing_a", { X: "IN" }, { Y: "OUT" }, "2")]),
  en_version_missing_a: member(),
});
add("ensemble", "en_version_ok", "a step requiring version 1, which exists", {
  en_version_ok: ensemble(EIO, [step("en_version_ok_a", { X: "IN" }, { Y: "OUT" }, "1")]),
  en_version_ok_a: member(),
});
add("ensemble", "en_version_omitted", "a step without model_version", {
  en_version_omitted: ensemble(EIO, [step("en_version_omitted_a", { X: "IN" }, { Y: "OUT" }, "")]),
  en_version_omitted_a: member(),
});
const DECOUPLED = "model_transaction_policy { decoupled: true }\n";
add("ensemble", "en_decoupled_join", "a step joining outputs of two decoupled models", {
  en_decoupled_join: ensemble(EIO, [
    step("en_decoupled_join_a", { X: "IN" }, { Y: "A" }),
    step("en_decoupled_join_b", { X: "IN" }, { Y: "B" }),
    step("en_decoupled_join_c", { X: "A", Z: "B" }, { Y: "OUT" }),
  ]),
  en_decoupled_join_a: member("X", "Y", 0, "TYPE_FP32", "[ 4 ]", DECOUPLED),
  en_decoupled_join_b: member("X", "Y", 0, "TYPE_FP32", "[ 4 ]", DECOUPLED),
  en_decoupled_join_c: python(`max_batch_size: 0\ninput [ ${t("X")}, ${t("Z")} ]\noutput [ ${t("Y")} ]\n`),
});
add("ensemble", "en_decoupled_chain", "a step after one decoupled model", {
  en_decoupled_chain: ensemble(EIO, [
    step("en_decoupled_chain_a", { X: "IN" }, { Y: "MID" }),
    step("en_decoupled_chain_b", { X: "MID" }, { Y: "OUT" }),
  ]),
  en_decoupled_chain_a: member("X", "Y", 0, "TYPE_FP32", "[ 4 ]", DECOUPLED),
  en_decoupled_chain_b: member(),
});
add(
  "ensemble",
  "en_instance_group",
  "an ensemble with an instance_group",
  chain("en_instance_group", "instance_group [ { kind: KIND_CPU } ]\n"),
);
add(
  "ensemble",
  "en_optimization",
  "an ensemble with optimization",
  chain("en_optimization", "optimization { input_pinned_memory { enable: false } }\n"),
);
add("ensemble", "en_no_steps", "ensemble_scheduling without steps", {
  en_no_steps: raw(`platform: "ensemble"\nmax_batch_size: 0\n${EIO}ensemble_scheduling { }\n`, { "1": null }),
});
add("ensemble", "en_no_output_map", "a step without output_map", {
  en_no_output_map: ensemble(EIO, [
    `{ model_name: "en_no_output_map_a" model_version: -1 input_map { key: "X" value: "IN" } }`,
  ]),
  en_no_output_map_a: member(),
});
add("ensemble", "en_no_version_folder", "an ensemble without a version folder", {
  en_no_version_folder: {
    "config.pbtxt": ensemble(EIO, [step("en_no_version_folder_a", { X: "IN" }, { Y: "OUT" })])[
      "config.pbtxt"
    ] as string,
  },
  en_no_version_folder_a: member(),
});
add("ensemble", "en_broken_step", "a step model that fails its own checks", {
  en_broken_step: ensemble(EIO, [step("en_broken_step_a", { X: "IN" }, { Y: "OUT" })]),
  en_broken_step_a: python(`max_batch_size: 0\ninput [ ${t("X", "TYPE_FP32", "")} ]\noutput [ ${t("Y")} ]\n`),
});
add("ensemble", "en_own_io_no_dims", "an ensemble input without dims", {
  en_own_io_no_dims: ensemble(`input [ ${t("IN", "TYPE_FP32", "")} ]\noutput [ ${t("OUT")} ]\n`, [
    step("en_own_io_no_dims_a", { X: "IN" }, { Y: "OUT" }),
  ]),
  en_own_io_no_dims_a: member(),
});
add(
  "ensemble",
  "en_sched_on_python",
  "ensemble_scheduling on a Python model",
  raw(`backend: "python"\n${XY}ensemble_scheduling { step [ ${step("x", { X: "X" }, { Y: "Y" })} ] }\n`),
);

export const HARNESS_CASES: readonly HarnessCase[] = cases;

/**
 * Triton's messages → mserve rule ids. A message may fit several rules
 * (mserve names the cause, Triton the symptom); a Triton message no entry
 * matches counts as a disagreement until it is classified here.
 */
const CLASSIFY: [RegExp, string[]][] = [
  [/failed to read text proto|Error parsing text-format/, ["config-syntax"]],
  [
    /failed to open text file for read \S*config\.pbtxt|model configuration is not provided/,
    ["config-missing"],
  ],
  [/failed to open text file for read/, ["label-file"]],
  // An enum number the proto does not name reaches the backend as a number where it expects a name.
  [/attempt to access JSON non-string as string/, ["batch-input", "batch-output"]],
  [/unexpected directory name/, ["name-mismatch"]],
  [/must specify 'name'/, ["tensor-name"]],
  [/must specify 'data_type'/, ["tensor-type"]],
  [/must specify 'dims'|dimension must be integer >= 1/, ["tensor-dims"]],
  [/reshape dimensions must be integer/, ["reshape-dims"]],
  [
    /different size for dims and reshape|different number of variable-size dimensions|empty reshape/,
    ["reshape"],
  ],
  [/NHWC\/NCHW require 3 dims/, ["tensor-format"]],
  [/shape tensors are only supported/, ["shape-tensor"]],
  [/batch input kind|batch input data type/, ["batch-input"]],
  [/batch output kind|target output name/, ["batch-output"]],
  [/unknown source input name/, ["batch-input", "batch-output"]],
  [/'max_batch_size' must be non-negative/, ["max-batch-size"]],
  [/dynamic batching preferred size/, ["dynamic-batching"]],
  [
    /default priority level must be in range|priority queue policy must have priority level/,
    ["priority-levels"],
  ],
  [/'preserve_ordering' is\s+true/, ["preserve-ordering"]],
  [/Response Cache does not currently support/, ["response-cache"]],
  [/unexpected data type for control CONTROL_SEQUENCE_CORRID/, ["sequence-corrid"]],
  [/sequence batching preferred batch size|minimum slot utilization/, ["sequence-strategy"]],
  [/sequence batching|control tensor/, ["sequence-control"]],
  [/unexpected 'platform' and 'backend' pair/, ["platform-backend"]],
  [/unexpected platform type/, ["unknown-platform"]],
  [/must have platform type .* and empty backend type/, ["ensemble-backend"]],
  [/Could not determine backend/, ["no-backend"]],
  [/specifies invalid or unsupported gpu id -/, ["gpu-id"]],
  [/has kind KIND_CPU but specifies one or more GPUs/, ["instance-group", "gpu-id"]],
  [/has kind KIND_MODEL but specifies|specifies profile field|has kind KIND_GPU but/, ["instance-group"]],
  [/at least one version must be available/, ["no-version", "version-policy"]],
  [/Python model file not found/, ["model-file"]],
  [/warmup setting expects/, ["warmup"]],
  [/circular dependency between ensembles/, ["ensemble-cycle"]],
  [/contains models that are not available/, ["ensemble-model"]],
  [/whose required version .* is not loaded/, ["ensemble-version"]],
  [/allows maximum batch size .* but it contains model/, ["ensemble-batch"]],
  [/receives inputs originated from different decoupled models/, ["ensemble-decoupled"]],
  [/inconsistent data type|inconsistent shape/, ["ensemble-tensor"]],
  [
    /can appear in an output map only once|non-existing (input|output)|not mapped to any ensemble tensors|mapped to multiple ensemble tensors|mapped to the same ensemble tensor/,
    ["ensemble-mapping"],
  ],
  [
    /ensemble (input|output) '.*' for ensemble .* is not used|is not written|is unused in ensemble/,
    ["ensemble-io"],
  ],
  [
    /ensemble scheduling cannot be set|should not be specified for ensemble|can not be specified for ensemble|must specify 'step'|must specify '(model_name|input_map|output_map)' in step|ensemble scheduling must be set/,
    ["ensemble"],
  ],
];

/** The rules mserve may name for Triton's message (a dependency failure is classified by its cause). */
export function classify(message: string): string[] | undefined {
  const dependency =
    /depends on '[^']*' which (?:is not valid|has no loaded version)\. Model '[^']*' (?:loading )?failed with error: ([\s\S]*)/.exec(
      message,
    );
  if (dependency) return classify(dependency[1] as string);
  return CLASSIFY.find(([pattern]) => pattern.test(message))?.[1];
}
