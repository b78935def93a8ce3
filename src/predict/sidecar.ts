import { MserveError } from "../errors.js";
import type { ModelVersion, Registry } from "../registry/types.js";
import type { Connection } from "../targets/torchserve/connect.js";
import { deployArchive } from "../targets/torchserve/deploy.js";

export interface EnsureOptions {
  autoRegister: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onStep?: (message: string) => void;
  /** How the user named it, for messages: "intent@PROD". */
  label: string;
}

/**
 * The sidecar step of design.md §7: if the server lacks the resolved version,
 * put the registry's artifact in its model store, register it and wait until
 * READY. Returns whether it had to.
 */
export async function ensureOnServer(
  connection: Connection,
  registry: Registry,
  model: ModelVersion,
  options: EnsureOptions,
): Promise<{ registered: boolean }> {
  const { client } = connection;
  const present = async () => Boolean((await client.find(model.name, model.version))?.length);
  if (await present()) return { registered: false };
  const ref = `${model.name}:${model.version}`;
  if (!options.autoRegister) {
    throw new MserveError(
      "NOT_FOUND",
      `${options.label} resolves to ${ref}, which is not registered on ${connection.label}`,
      {
        hint: `Deploy it (mserve deploy ${ref}) or drop --no-auto-register to let predict do it.`,
      },
    );
  }
  if (model.target !== "torchserve") {
    throw new MserveError(
      "INVALID_INPUT",
      `${ref} is a ${model.format} artifact that TorchServe cannot load`,
      {
        hint: "Push a .mar or .tar.gz made by `mserve package` for TorchServe.",
      },
    );
  }
  options.onStep?.(`${ref} is not on ${connection.label}; registering it from the registry`);
  const archive = await registry.localArtifact(model, options.signal);
  try {
    await deployArchive(connection, {
      archive,
      expectedSha256: model.artifact.sha256,
      replace: false,
      wait: true,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      onStep: options.onStep,
    });
  } catch (error) {
    // Another predict registered it at the same moment: fine, as long as it is there now.
    if (error instanceof MserveError && error.code === "CONFLICT" && (await present()))
      return { registered: false };
    throw error;
  }
  return { registered: true };
}
