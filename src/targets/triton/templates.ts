import type { TemplateFile } from "../../scaffold/init-project.js";

const project = (template: string, extra: TemplateFile[]): TemplateFile[] => [
  { target: "mserve.yaml", from: `init/triton-${template}/mserve.yaml` },
  { target: "README.md", from: `init/triton-${template}/README.md` },
  ...extra,
];

/** `mserve init --target triton`: each project file and the template it comes from (under templates/). */
export const TRITON_TEMPLATES: Record<string, readonly TemplateFile[]> = {
  python: project("python", [{ target: "model.py", from: "triton/python.py" }]),
  pytorch: project("pytorch", [{ target: "export.py", from: "init/triton-pytorch/export.py" }]),
  onnx: project("onnx", [{ target: "export.py", from: "init/triton-onnx/export.py" }]),
  ensemble: project(
    "ensemble",
    ["scale", "shift"].flatMap((step) => [
      { target: `steps/${step}/mserve.yaml`, from: `init/triton-ensemble/steps/${step}/mserve.yaml` },
      { target: `steps/${step}/model.py`, from: `init/triton-ensemble/steps/${step}/model.py` },
    ]),
  ),
};
