import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Diagnostic } from "../../diagnostics.js";
import { checkInferenceService } from "./manifest.js";

/** A YAML file that declares an InferenceService. */
export async function detectInferenceService(path: string): Promise<boolean> {
  if (!/\.ya?ml$/.test(path)) return false;
  return /kind:\s*InferenceService/.test(await readFile(path, "utf8").catch(() => ""));
}

/** Checks the manifest against KServe's CRD schema (errors are thrown, with the schema path). */
export async function validateInferenceServiceFile(
  path: string,
  cwd: string,
): Promise<{ path: string; kind: "inferenceservice"; valid: boolean; diagnostics: Diagnostic[] }> {
  const full = resolve(cwd, path);
  await checkInferenceService(parseYaml(await readFile(full, "utf8")));
  return { path: full, kind: "inferenceservice", valid: true, diagnostics: [] };
}
