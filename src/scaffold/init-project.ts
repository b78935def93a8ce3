import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { writeFileAtomic } from "../archive/atomic-output.js";
import { conflict, invalidInput } from "../errors.js";
import { checkModelName } from "../model/names.js";
import { packagePath } from "../paths.js";

export const INIT_TEMPLATES = ["text-classifier", "image-classifier", "custom"] as const;
export type InitTemplate = (typeof INIT_TEMPLATES)[number];

/** Where each scaffolded file comes from: the init template folder or a TorchServe handler template. */
const TEMPLATE_FILES: Record<InitTemplate, Array<{ target: string; from: string }>> = {
  "text-classifier": [
    { target: "mserve.yaml", from: "init/text-classifier/mserve.yaml" },
    { target: "README.md", from: "init/text-classifier/README.md" },
    { target: "model-config.yaml", from: "init/text-classifier/model-config.yaml" },
    { target: "handler.py", from: "torchserve/text_classifier.py" },
    { target: "model.py", from: "init/text-classifier/model.py" },
  ],
  "image-classifier": [
    { target: "mserve.yaml", from: "init/image-classifier/mserve.yaml" },
    { target: "README.md", from: "init/image-classifier/README.md" },
    { target: "handler.py", from: "torchserve/image_classifier.py" },
  ],
  custom: [
    { target: "mserve.yaml", from: "init/custom/mserve.yaml" },
    { target: "README.md", from: "init/custom/README.md" },
    { target: "handler.py", from: "torchserve/custom.py" },
  ],
};

export const templatesRoot = () => packagePath("templates/");

export interface InitPlan {
  dir: string;
  template: InitTemplate;
  modelName: string;
  files: Array<{ path: string; content: string; exists: boolean }>;
}

/** Reads the templates and decides every file to write; writes nothing. */
export async function planInit(options: {
  dir: string;
  template: InitTemplate;
  name?: string | undefined;
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
    TEMPLATE_FILES[options.template].map(async ({ target, from }) => {
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
