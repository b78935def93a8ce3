import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";

/**
 * The folder KServe's TorchServe runtime expects at storageUri: config/config.properties
 * (ports, model_store=/mnt/models/model-store and a model_snapshot naming the .mar) and
 * model-store/<name>.mar. Written through a temp folder and renamed in.
 */
export async function writeTorchServeStorage(archive: string, folder: string, name: string) {
  const { checkArtifact } = await import("../torchserve/model-store.js");
  const checked = await checkArtifact(archive);
  const snapshot = {
    name: "startup.cfg",
    modelCount: 1,
    models: {
      [checked.name]: {
        [checked.version]: {
          defaultVersion: true,
          marName: `${name}.mar`,
          minWorkers: 1,
          maxWorkers: 5,
          batchSize: 1,
          maxBatchDelay: 10,
          responseTimeout: 120,
        },
      },
    },
  };
  const properties = [
    "inference_address=http://0.0.0.0:8085",
    "management_address=http://0.0.0.0:8085",
    "metrics_address=http://0.0.0.0:8082",
    "grpc_inference_port=7070",
    "grpc_management_port=7071",
    "enable_metrics_api=true",
    "metrics_mode=prometheus",
    "number_of_netty_threads=4",
    "job_queue_size=10",
    "enable_envvars_config=true",
    "install_py_dep_per_model=true",
    "model_store=/mnt/models/model-store",
    `model_snapshot=${JSON.stringify(snapshot)}`,
    "",
  ].join("\n");
  const temp = reserveTempSibling(folder);
  try {
    await mkdir(join(temp, "config"), { recursive: true });
    await mkdir(join(temp, "model-store"), { recursive: true });
    await writeFile(join(temp, "config", "config.properties"), properties);
    await copyFile(archive, join(temp, "model-store", `${name}.mar`));
    await rm(folder, { recursive: true, force: true });
    await rename(temp, folder);
  } finally {
    await rm(temp, { recursive: true, force: true });
    releaseTempPath(temp);
  }
  return { folder, model: checked.name, version: checked.version, sha256: checked.sha256 };
}
