import { mlflowRuntime } from "../registry/mlflow/runtime.js";
import { TARGETS } from "../targets/table.js";
import type { TargetDescriptor } from "../targets/target.js";
import type { RuntimeSpec } from "./runtime-spec.js";

/** Every runtime `mserve setup` knows: each target's own, and MLflow's for the registry. */
export const RUNTIMES: Readonly<Record<string, RuntimeSpec>> = {
  ...Object.fromEntries(
    (Object.values(TARGETS) as TargetDescriptor[]).flatMap((t) => (t.runtime ? [[t.id, t.runtime]] : [])),
  ),
  mlflow: mlflowRuntime,
};
