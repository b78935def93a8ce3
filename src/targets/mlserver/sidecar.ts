import { MserveError } from "../../errors.js";
import type { EnsureRequest, Hooks } from "../target.js";
import { unzipVersion } from "./artifact.js";
import type { MlserverConnection } from "./connect.js";
import { deployMlserver } from "./deploy.js";

/**
 * The sidecar step of design.md §7 for MLServer: a registry version the server
 * does not answer for is unpacked from the registry, placed and loaded first.
 * Returns whether it had to.
 */
export async function ensureOnMlserver(
  connection: MlserverConnection,
  request: EnsureRequest,
  hooks: Hooks,
): Promise<{ registered: boolean }> {
  const { model, registry } = request;
  const ref = `${model.name}:${model.version}`;
  if (await connection.client.ready(model.name, model.version)) return { registered: false };
  if (!request.autoRegister)
    throw new MserveError(
      "NOT_FOUND",
      `${request.label} resolves to ${ref}, which ${connection.label} does not serve`,
      {
        hint: `Deploy it (mserve deploy ${ref} --target mlserver) or drop --no-auto-register to let predict do it.`,
      },
    );
  hooks.step(`${ref} is not on ${connection.label}; deploying it from the registry`);
  const archive = await registry.localArtifact(model, hooks.signal);
  const unpacked = await unzipVersion(archive, model, hooks.signal);
  try {
    await deployMlserver(connection, unpacked.dir, {
      replace: false,
      wait: true,
      timeoutMs: request.timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
      expect: { name: model.name, version: model.version },
    });
  } finally {
    await unpacked.done();
  }
  return { registered: true };
}
