import type { RuntimeSpec } from "../../setup/runtime-spec.js";

/** `mserve setup mlflow`: an MLflow tracking server for the team registry backend. */
export const mlflowRuntime: RuntimeSpec = {
  packages: ["mlflow==3.17.2"],
  requirementsFile: "requirements-mlflow.txt",
  bins: ["mlflow"],
  python: { min: [3, 10], max: [3, 13] },
  next: "$MSERVE_HOME/runtimes/mlflow/bin/mlflow server --port 5000, then MSERVE_REGISTRY=mlflow+http://127.0.0.1:5000",
};
