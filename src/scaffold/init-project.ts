import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { writeFileAtomic } from "../archive/atomic-output.js";
import { conflict, invalidInput, usageError } from "../errors.js";
import { checkModelName } from "../model/names.js";
import { packagePath } from "../paths.js";

/** Project templates per target; the first is the default. */
export const TARGET_TEMPLATES = {
  torchserve: ["text-classifier", "image-classifier", "custom"],
  triton: ["python", "pytorch", "onnx", "ensemble"],
} as const;
export const INIT_TEMPLATES = [...TARGET_TEMPLATES.torchserve, ...TARGET_TEMPLATES.triton] as const;
export type InitTemplate = (typeof INIT_TEMPLATES)[number];
export type InitTarget = keyof typeof TARGET_TEMPLATES;

/** The template for a target: the default when none is given; a template of another target is a usage error. */
export function chooseTemplate(target: string | undefined, template: string | undefined): InitTemplate {
  const id = (target ??
    (template && (TARGET_TEMPLATES.triton as readonly string[]).includes(template)
      ? "triton"
      : "torchserve")) as InitTarget;
  const templates = TARGET_TEMPLATES[id] as readonly string[] | undefined;
  if (!templates)
    throw usageError(
      `init has no templates for ${target}`,
      `Templates: ${Object.entries(TARGET_TEMPLATES)
        .map(([t, list]) => `--target ${t}: ${list.join(", ")}`)
        .join("; ")}.`,
    );
  if (!template) return templates[0] as InitTemplate;
  if (!templates.includes(template))
    throw usageError(
      `--template ${template} is not a ${id} template`,
      `Templates for ${id}: ${templates.join(", ")}.`,
    );
  return template as InitTemplate;
}

const triton = (template: string, extra: Array<{ target: string; from: string }>) => [
  { target: "mserve.yaml", from: `init/triton-${template}/mserve.yaml` },
  { target: "README.md", from: `init/triton-${template}/README.md` },
  ...extra,
];

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
  python: triton("python", [{ target: "model.py", from: "triton/python.py" }]),
  pytorch: triton("pytorch", [{ target: "export.py", from: "init/triton-pytorch/export.py" }]),
  onnx: triton("onnx", [{ target: "export.py", from: "init/triton-onnx/export.py" }]),
  ensemble: triton(
    "ensemble",
    ["scale", "shift"].flatMap((step) => [
      { target: `steps/${step}/mserve.yaml`, from: `init/triton-ensemble/steps/${step}/mserve.yaml` },
      { target: `steps/${step}/model.py`, from: `init/triton-ensemble/steps/${step}/model.py` },
    ]),
  ),
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
