import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ModelRef } from "../../model/ref.js";
import { waitUntil } from "../../runtime/wait.js";
import { type ModelDescription, type RegisterParams, readiness, type TorchServeClient } from "./client.js";
import type { Connection } from "./connect.js";
import { isStoreFileOfMserve } from "./store-file.js";

export interface ModelView extends ModelDescription {
  isDefault: boolean;
}

/** One model's versions (or one version), each marked with whether it is the default. */
export async function describeModel(client: TorchServeClient, ref: ModelRef): Promise<ModelView[]> {
  const [current] = await client.describe(ref.name);
  const versions = await client.describe(ref.name, ref.version ?? "all");
  return versions.map((m) => ({ ...m, isDefault: m.modelVersion === current?.modelVersion }));
}

/** Every model the server has, all versions. */
export async function describeAll(client: TorchServeClient): Promise<ModelView[]> {
  const listed = await client.list();
  const views = await Promise.all(listed.map((m) => describeModel(client, { name: m.modelName })));
  return views.flat();
}

/** Waits until the version has as many READY workers as its minimum (1 at least). */
export async function waitForWorkers(
  client: TorchServeClient,
  ref: ModelRef,
  options: { timeoutMs: number; signal?: AbortSignal; want?: number },
): Promise<ModelDescription> {
  return waitUntil(
    async () => {
      const [model] = await client.describe(ref.name, ref.version);
      if (!model) return undefined;
      const { ready, wanted } = readiness(model);
      return ready >= (options.want ?? wanted) ? model : undefined;
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: 100,
      signal: options.signal,
      what: `${ref.name}${ref.version ? `:${ref.version}` : ""} to have READY workers`,
      hint: "Worker start-up errors are in the server log (`mserve logs`).",
    },
  );
}

export interface UnregisterResult {
  name: string;
  version: string;
  message: string;
  /** The archive deploy had copied into the store, removed with the version. */
  removedArchive?: string;
}

/**
 * Unregisters a version (the default one when none is given). `confirm` runs
 * after the version is known to exist, so an unknown model fails before anyone
 * is asked. Archives that `deploy` put in the store are removed too, since
 * TorchServe leaves store files registered by name in place.
 */
export async function unregisterModel(
  connection: Pick<Connection, "client" | "modelStore">,
  ref: ModelRef,
  options: { keepArchive?: boolean; confirm: (version: string) => Promise<void> },
): Promise<UnregisterResult> {
  const { client, modelStore } = connection;
  const [model] = await client.describe(ref.name, ref.version);
  const version = model?.modelVersion ?? ref.version ?? "";
  await options.confirm(version);
  const message = await client.unregister(ref.name, version);
  if (options.keepArchive || !modelStore || !model || !isStoreFileOfMserve(model.modelUrl)) {
    return { name: ref.name, version, message };
  }
  await rm(join(modelStore, model.modelUrl), { force: true });
  return { name: ref.name, version, message, removedArchive: model.modelUrl };
}

export interface RegisterOutcome {
  name?: string;
  version?: string;
  url: string;
  status: number;
  message: string;
  workers?: ReturnType<typeof readiness>;
}

/**
 * The bare register call for an archive already in the store (or at a URL),
 * then the max-workers bound (register only takes an initial count) and,
 * with `wait`, READY workers.
 */
export async function registerArchive(
  client: TorchServeClient,
  params: RegisterParams,
  options: { maxWorkers?: number; wait: boolean; timeoutMs: number; signal?: AbortSignal },
): Promise<RegisterOutcome> {
  const answer = await client.register(params, options.timeoutMs);
  const ref = answer.registered;
  if (ref && options.maxWorkers !== undefined) {
    const min = params.initialWorkers ?? 1;
    await client.scale(ref.name, ref.version, {
      min,
      max: Math.max(min, options.maxWorkers),
      synchronous: false,
    });
  }
  const model =
    ref && options.wait
      ? await waitForWorkers(client, ref, { timeoutMs: options.timeoutMs, signal: options.signal })
      : undefined;
  return {
    ...ref,
    url: params.url,
    status: answer.status,
    message: answer.message,
    ...(model ? { workers: readiness(model) } : {}),
  };
}
