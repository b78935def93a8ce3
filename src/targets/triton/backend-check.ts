import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { invalidInput, MserveError } from "../../errors.js";
import { pathExists } from "../../files.js";
import type { ModelConfig } from "./config.js";
import type { TritonConnection } from "./connect.js";
import { BACKENDS } from "./constants.js";

/** The backend a config needs (its `backend`, or the one its platform belongs to); none for an ensemble. */
export function backendOf(config: ModelConfig): string | undefined {
  if (config.platform === "ensemble") return undefined;
  if (config.backend) return config.backend;
  return Object.entries(BACKENDS).find(([, b]) => b.platforms.includes(config.platform ?? ""))?.[0];
}

/** Where a local tritonserver looks for backends: its --backend-directory, or the default. */
function backendDirectory(connection: TritonConnection): string | undefined {
  const record = connection.record;
  if (record?.runtime !== "local") return undefined;
  const flag = record.command.find((a) => a.startsWith("--backend-directory="));
  return flag ? flag.slice("--backend-directory=".length) : "/opt/tritonserver/backends";
}

/** A file for each backend's probe model: enough for Triton to pick the backend, which then refuses it. */
const PROBE_FILES: Record<string, string> = {
  pytorch: "model.pt",
  onnxruntime: "model.onnx",
  tensorflow: "model.savedmodel/saved_model.pb",
  tensorrt: "model.plan",
  openvino: "model.xml",
  python: "model.py",
};

const MISSING = /unable to find backend library|unable to find '?libtriton_|backend library .*not found/i;

/**
 * Loads a throw-away model with this backend through the load API's config and
 * file overrides (it is never in the repository). A missing backend fails with
 * "unable to find backend library"; any other failure means the backend is there
 * and only refused the empty file. Undefined when the server cannot be asked
 * (not in explicit model-control mode).
 */
async function probe(connection: TritonConnection, backend: string): Promise<boolean | undefined> {
  const name = `mserve-probe-${backend}-${randomUUID().slice(0, 8)}`;
  const config = {
    backend,
    max_batch_size: 0,
    input: [{ name: "x", data_type: "TYPE_FP32", dims: [1] }],
    output: [{ name: "y", data_type: "TYPE_FP32", dims: [1] }],
  };
  try {
    await connection.client.load(name, 60_000, {
      config: JSON.stringify(config),
      // One byte (base64): an empty file is refused before the backend is even looked up.
      [`file:1/${PROBE_FILES[backend] ?? `model.${backend}`}`]: "eA==",
    });
    await connection.client.unload(name).catch(() => {});
    return true;
  } catch (error) {
    if (!(error instanceof MserveError)) throw error;
    if (["UNREACHABLE", "TIMEOUT", "INTERRUPTED", "AUTH"].includes(error.code)) throw error;
    if (/not allowed|polling is enabled/i.test(error.message)) return undefined;
    return !MISSING.test(error.message);
  }
}

export interface BackendNeed {
  model: string;
  config: ModelConfig;
  /** The model's folder as it will be placed, for backends shipped with the model. */
  dir: string;
}

/**
 * Before anything is placed: does the server have each backend these models
 * name? Read from a local server's backend directory, else asked with a load
 * probe. A missing one is exit 3 with the fix, not a late load failure.
 */
export async function checkBackends(connection: TritonConnection, needs: BackendNeed[]): Promise<void> {
  const directory = backendDirectory(connection);
  const known = new Map<string, boolean | undefined>();
  for (const need of needs) {
    const backend = backendOf(need.config);
    if (!backend) continue;
    const lib = `libtriton_${backend}.so`;
    // A model may carry its backend: <model>/<version>/libtriton_B.so or <model>/libtriton_B.so.
    if (await pathExists(join(need.dir, lib))) continue;
    if (!known.has(backend)) {
      const present =
        directory !== undefined
          ? (await pathExists(join(directory, backend, lib))) ||
            (await pathExists(join(directory, backend, "model.py")))
          : await probe(connection, backend);
      known.set(backend, present);
    }
    if (known.get(backend) !== false) continue;
    const wrapper = backend === "pytorch" || backend === "onnxruntime";
    throw invalidInput(
      `${need.model} needs Triton's ${backend} backend, which ${connection.label} does not have${directory ? ` (nothing for it in ${directory})` : ""}`,
      wrapper
        ? `Package it with --python-wrapper (a Python-backend model.py that runs it with ${backend === "pytorch" ? "torch" : "onnxruntime"}), or deploy to a Triton with the ${backend} backend (NVIDIA's image: mserve serve --target triton --runtime docker).`
        : `Deploy to a Triton with the ${backend} backend (NVIDIA's image: mserve serve --target triton --runtime docker).`,
      { backend, model: need.model },
    );
  }
}
