import { readFile } from "node:fs/promises";
import { parsePbtxt } from "../../pbtxt/parser.js";
import type { ProtoMessage } from "../../pbtxt/schema.js";
import { schema } from "../../pbtxt/schemas/triton-model-config.js";
import { PbtxtError } from "../../pbtxt/tokenizer.js";
import { writePbtxt } from "../../pbtxt/writer.js";

/** The fields of inference.ModelConfig mserve reads; everything else is kept as parsed. */
export interface TensorConfig {
  name?: string;
  data_type?: string | number;
  format?: string;
  dims?: (number | string)[];
  reshape?: { shape?: (number | string)[] };
  optional?: boolean;
  is_shape_tensor?: boolean;
  label_filename?: string;
}

export interface EnsembleStep {
  model_name?: string;
  model_version?: number | string;
  input_map?: Record<string, string>;
  output_map?: Record<string, string>;
}

/** Typed view of a parsed config; other fields stay as the parser produced them. */
export interface ModelConfig {
  [field: string]: unknown;
  name?: string;
  platform?: string;
  backend?: string;
  max_batch_size?: number;
  input?: TensorConfig[];
  output?: TensorConfig[];
  default_model_filename?: string;
  dynamic_batching?: { preferred_batch_size?: number[]; max_queue_delay_microseconds?: number | string };
  sequence_batching?: Record<string, unknown>;
  ensemble_scheduling?: { step?: EnsembleStep[] };
  instance_group?: { kind?: string; count?: number; gpus?: number[] }[];
  version_policy?: Record<string, unknown>;
  model_warmup?: { batch_size?: number }[];
  parameters?: Record<string, { string_value?: string }>;
}

export type ConfigRead =
  | { ok: true; config: ModelConfig }
  | { ok: false; line: number; column: number; message: string };

export function parseModelConfig(text: string): ConfigRead {
  try {
    return { ok: true, config: parsePbtxt(text, schema) as unknown as ModelConfig };
  } catch (error) {
    if (error instanceof PbtxtError) {
      return {
        ok: false,
        line: error.line,
        column: error.column,
        message: error.message.replace(/^\d+:\d+: /, ""),
      };
    }
    throw error;
  }
}

export async function readModelConfig(path: string): Promise<ConfigRead> {
  return parseModelConfig(await readFile(path, "utf8"));
}

export const writeModelConfig = (config: ModelConfig): string =>
  writePbtxt(config as unknown as ProtoMessage, schema);
