import { parsePbtxt } from "../../pbtxt/parser.js";
import type { ProtoMessage } from "../../pbtxt/schema.js";
import { schema } from "../../pbtxt/schemas/tfserving-model-server-config.js";
import { PbtxtError } from "../../pbtxt/tokenizer.js";
import { writePbtxt } from "../../pbtxt/writer.js";

/** One entry of model_config_list (tensorflow.serving.ModelConfig). */
export interface ServedModel {
  name?: string;
  base_path?: string;
  model_platform?: string;
  model_version_policy?: {
    latest?: { num_versions?: number };
    all?: Record<string, never>;
    specific?: { versions?: (number | string)[] };
  };
  version_labels?: Record<string, number | string>;
  [field: string]: unknown;
}

export interface ModelServerConfig {
  model_config_list?: { config?: ServedModel[] };
  [field: string]: unknown;
}

export type ModelsConfigRead =
  | { ok: true; config: ModelServerConfig }
  | { ok: false; line: number; column: number; message: string };

export function parseModelsConfig(text: string): ModelsConfigRead {
  try {
    return { ok: true, config: parsePbtxt(text, schema) as unknown as ModelServerConfig };
  } catch (error) {
    if (error instanceof PbtxtError)
      return {
        ok: false,
        line: error.line,
        column: error.column,
        message: error.message.replace(/^\d+:\d+: /, ""),
      };
    throw error;
  }
}

export const writeModelsConfig = (config: ModelServerConfig): string =>
  writePbtxt(config as unknown as ProtoMessage, schema);

/** The versions TF Serving serves for a model, given the version folders on disk. */
export function servedVersions(model: ServedModel, onDisk: number[]): number[] {
  const sorted = [...onDisk].sort((a, b) => b - a);
  const policy = model.model_version_policy;
  if (policy?.all) return sorted;
  if (policy?.specific) return (policy.specific.versions ?? []).map(Number).filter((v) => onDisk.includes(v));
  return sorted.slice(0, Math.max(1, policy?.latest?.num_versions ?? 1));
}

export interface ConfigProblem {
  severity: "error" | "warning";
  rule: string;
  message: string;
  model?: string;
}

/** Duplicate names and labels that point at versions TF Serving would not serve. */
export function checkModelsConfig(
  config: ModelServerConfig,
  versionsOnDisk: (model: ServedModel) => number[] | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const model of config.model_config_list?.config ?? []) {
    const name = model.name ?? "";
    if (!name) problems.push({ severity: "error", rule: "model-name", message: "a model entry has no name" });
    else if (seen.has(name))
      problems.push({
        severity: "error",
        rule: "duplicate-model",
        model: name,
        message: `model "${name}" is listed twice`,
      });
    seen.add(name);
    if (!model.base_path)
      problems.push({
        severity: "error",
        rule: "base-path",
        model: name,
        message: `model "${name}" has no base_path`,
      });
    const onDisk = versionsOnDisk(model);
    const served = onDisk ? servedVersions(model, onDisk) : undefined;
    for (const [label, version] of Object.entries(model.version_labels ?? {})) {
      if (served && !served.includes(Number(version))) {
        problems.push({
          severity: "error",
          rule: "label-version",
          model: name,
          message: `label "${label}" of "${name}" points at version ${version}, which is not served (served: ${served.join(", ") || "none"})`,
        });
      }
    }
  }
  return problems;
}
