import { MserveError } from "../../errors.js";
import type { EnsureRequest, Hooks } from "../target.js";
import type { Connection } from "./connect.js";
import { deployArchive } from "./deploy.js";

/**
 * The sidecar step of design.md §7: if the server lacks the resolved version,
 * put the registry's artifact in its model store, register it and wait until
 * READY. Returns whether it had to.
 */
export async function ensureOnServer(
  connection: Connection,
  request: EnsureRequest,
  hooks: Hooks,
): Promise<{ registered: boolean }> {
  const { client } = connection;
  const { model, registry } = request;
  const present = async () => Boolean((await client.find(model.name, model.version))?.length);
  if (await present()) return { registered: false };
  const ref = `${model.name}:${model.version}`;
  if (!request.autoRegister) {
    throw new MserveError(
      "NOT_FOUND",
      `${request.label} resolves to ${ref}, which is not registered on ${connection.label}`,
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
  hooks.step(`${ref} is not on ${connection.label}; registering it from the registry`);
  const archive = await registry.localArtifact(model, hooks.signal);
  try {
    await deployArchive(connection, {
      archive,
      expectedSha256: model.artifact.sha256,
      replace: false,
      wait: true,
      timeoutMs: request.timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
    });
  } catch (error) {
    // Another predict registered it at the same moment: fine, as long as it is there now.
    if (error instanceof MserveError && error.code === "CONFLICT" && (await present()))
      return { registered: false };
    throw error;
  }
  return { registered: true };
}
