import { readdir, readFile, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { Diagnostic } from "../../diagnostics.js";
import { checkModelsConfig, parseModelsConfig } from "./models-config.js";
import { checkSavedModel } from "./saved-model.js";

export type TfServingDiagnostic = Diagnostic;

export interface TfServingValidation {
  path: string;
  kind: "models-config" | "saved-model";
  valid: boolean;
  diagnostics: TfServingDiagnostic[];
}

export async function detectTfServing(path: string): Promise<TfServingValidation["kind"] | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile() && /\.config$/.test(path)) return "models-config";
  if (info?.isDirectory()) {
    const names = await readdir(path).catch(() => [] as string[]);
    if (names.includes("saved_model.pb") || names.includes("saved_model.pbtxt")) return "saved-model";
  }
  return undefined;
}

/** models.config: syntax (line:column), duplicate names, labels of versions that are not served; or a SavedModel folder. */
export async function validateTfServing(input: string, cwd: string): Promise<TfServingValidation> {
  const path = resolve(cwd, input);
  const kind = (await detectTfServing(path)) ?? "models-config";
  const diagnostics: TfServingDiagnostic[] = [];
  if (kind === "saved-model") {
    await checkSavedModel(path).catch((error: Error & { hint?: string }) =>
      diagnostics.push({
        severity: "error",
        rule: "saved-model",
        message: error.message,
        ...(error.hint ? { hint: error.hint } : {}),
      }),
    );
    return { path, kind, valid: diagnostics.length === 0, diagnostics };
  }
  const read = parseModelsConfig(await readFile(path, "utf8"));
  const file = basename(path);
  if (!read.ok) {
    diagnostics.push({
      severity: "error",
      rule: "config-syntax",
      message: read.message,
      file,
      line: read.line,
      column: read.column,
    });
  } else {
    const onDisk = new Map<string, number[] | undefined>();
    for (const model of read.config.model_config_list?.config ?? []) {
      if (!model.base_path) continue;
      const names = await readdir(resolve(path, "..", model.base_path)).catch(() => undefined);
      onDisk.set(model.name ?? "", names?.filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number));
      if (!names)
        diagnostics.push({
          severity: "warning",
          rule: "base-path",
          message: `base_path ${model.base_path} of "${model.name}" does not exist here`,
          file,
          hint: "Fine when the config is for another machine or a container path.",
        });
    }
    for (const p of checkModelsConfig(read.config, (m) => onDisk.get(m.name ?? "")))
      diagnostics.push({ ...p, file });
  }
  return { path, kind, valid: !diagnostics.some((d) => d.severity === "error"), diagnostics };
}
