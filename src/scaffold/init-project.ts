import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { writeFileAtomic } from "../archive/atomic-output.js";
import { conflict, invalidInput } from "../errors.js";
import { checkModelName } from "../model/names.js";
import { packagePath } from "../paths.js";
import type { InitPlan } from "../targets/target.js";

/** One scaffolded file: where it goes in the project, and which file under templates/ it is made from. */
export interface TemplateFile {
  target: string;
  from: string;
}

export const templatesRoot = () => packagePath("templates/");

/**
 * Reads a target's template files and decides every file to write; writes
 * nothing. `{{name}}` in a template becomes the model name.
 */
export async function planInit(options: {
  dir: string;
  template: string;
  name?: string | undefined;
  files: readonly TemplateFile[];
}): Promise<InitPlan> {
  const dir = resolve(options.dir);
  const modelName =
    options.name ??
    basename(dir)
      .replace(/[^A-Za-z0-9_.-]/g, "_")
      .replace(/^[^A-Za-z0-9]+/, "");
  if (!modelName) throw invalidInput(`cannot derive a model name from ${dir}`, "Pass --name <model-name>.");
  checkModelName(modelName);
  const files = await Promise.all(
    options.files.map(async ({ target, from }) => {
      const path = join(dir, target);
      const raw = await readFile(join(templatesRoot(), from), "utf8");
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      return { path, content: raw.replaceAll("{{name}}", modelName), exists };
    }),
  );
  return { dir, template: options.template, modelName, files };
}

/** Refuses to overwrite anything unless forced: either every file is written or none. */
export async function applyInit(plan: InitPlan, force: boolean): Promise<string[]> {
  const clashes = plan.files.filter((f) => f.exists).map((f) => f.path);
  if (clashes.length > 0 && !force) {
    throw conflict(
      `refusing to overwrite existing files: ${clashes.join(", ")}`,
      "Pass -f/--force to overwrite them.",
    );
  }
  for (const file of plan.files) await writeFileAtomic(file.path, file.content);
  return plan.files.map((f) => f.path);
}
