import type { TemplateFile } from "../../scaffold/init-project.js";

/** `mserve init --target mlserver`: each project file and the template it comes from (under templates/). */
export const MLSERVER_TEMPLATES: Record<string, readonly TemplateFile[]> = {
  custom: [
    { target: "mserve.yaml", from: "mlserver/custom/mserve.yaml" },
    { target: "README.md", from: "mlserver/custom/README.md" },
    { target: "model.py", from: "mlserver/custom/model.py" },
  ],
  sklearn: [
    { target: "mserve.yaml", from: "mlserver/sklearn/mserve.yaml" },
    { target: "README.md", from: "mlserver/sklearn/README.md" },
    { target: "train.py", from: "mlserver/sklearn/train.py" },
  ],
};
