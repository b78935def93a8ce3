import type { TemplateFile } from "../../scaffold/init-project.js";

/** `mserve init` for TorchServe: each project file and the template it comes from (under templates/). */
export const TORCHSERVE_TEMPLATES: Record<string, readonly TemplateFile[]> = {
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
