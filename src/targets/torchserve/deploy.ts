import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { MserveError, usageError } from "../../errors.js";
import { waitUntil } from "../../runtime/wait.js";
import { type ModelDescription, readiness, type TorchServeClient } from "./client.js";
import type { Connection } from "./connect.js";
import {
  checkArtifact,
  isStoreFileOfMserve,
  placeInStore,
  storeFileName,
  storeFilePrefix,
} from "./model-store.js";
import { placementSummary } from "./placement.js";

export interface WorkerSettings {
  minWorkers?: number;
  maxWorkers?: number;
  batchSize?: number;
  maxBatchDelayMs?: number;
  responseTimeoutSec?: number;
}

export interface DeployOptions extends WorkerSettings {
  archive: string;
  /** The registry's hash of the archive: a copy that no longer matches is refused (exit 3). */
  expectedSha256?: string;
  /** The fix a conflict names (deploy NAME@ALIAS --replace, for a registry version). */
  replaceHint?: string;
  replace: boolean;
  wait: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onStep?: (message: string) => void;
  /** Told the name and version as soon as the archive is read, before anything can fail on the server. */
  onArtifact?: (model: { name: string; version: string }) => void;
}

export interface DeployResult {
  name: string;
  version: string;
  status: "deployed" | "unchanged" | "replaced";
  server: string;
  storeFile: string;
  sha256: string;
  digest: string;
  isDefault: boolean;
  workers: { ready: number; wanted: number; min: number; max: number };
  /** Where the workers run: "cpu", "gpu 0, gpu 1" (describe's gpu/gpuUsage). */
  devices: string;
  timings: { registerMs?: number; readyMs?: number; totalMs: number };
}

async function waitReady(
  client: TorchServeClient,
  name: string,
  version: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ModelDescription> {
  return waitUntil(
    async () => {
      const [model] = await client.describe(name, version);
      return model && readiness(model).isReady ? model : undefined;
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: 100,
      signal: options.signal,
      what: `${name}:${version} to have READY workers`,
      hint: "Slow model loads need a longer --timeout; a crashing handler shows its error in `mserve logs`.",
    },
  );
}

async function isDefaultVersion(client: TorchServeClient, name: string, version: string): Promise<boolean> {
  const [current] = (await client.find(name)) ?? [];
  return current?.modelVersion === version;
}

/**
 * Puts the archive where the server loads from, registers it and waits until its
 * workers are READY. Same name+version+hash again is a no-op; a different archive
 * under a taken version is a conflict unless `replace`. Any failure after the copy
 * unregisters and removes what this call added, so nothing half-deployed remains.
 */
export async function deployArchive(connection: Connection, options: DeployOptions): Promise<DeployResult> {
  const started = Date.now();
  const { client } = connection;
  const step = options.onStep ?? (() => {});
  const artifact = await checkArtifact(resolve(options.archive));
  const { name, version } = artifact;
  options.onArtifact?.({ name, version });
  if (options.expectedSha256 && artifact.sha256 !== options.expectedSha256) {
    throw new MserveError(
      "INVALID_INPUT",
      `the artifact of ${name}:${version} is corrupt: its sha256 is ${artifact.sha256.slice(0, 12)}…, the registry recorded ${options.expectedSha256.slice(0, 12)}…`,
      { hint: "Nothing was registered. Run `mserve registry verify`, then push the artifact again." },
    );
  }
  const storeFile = storeFileName(name, version, artifact.digest, artifact.kind);
  const store = connection.modelStore;
  if (!store) {
    throw usageError(
      `the model store of ${connection.label} is unknown`,
      "Pass --model-store with the folder this server loads archives from (or deploy to a server started by `mserve serve`).",
    );
  }
  const min = options.minWorkers ?? artifact.configMinWorkers ?? 1;
  const max = Math.max(options.maxWorkers ?? min, min);
  const result = (
    status: DeployResult["status"],
    model: ModelDescription,
    isDefault: boolean,
    timings = {},
  ) => {
    const r = readiness(model);
    return {
      name,
      version,
      status,
      server: connection.label,
      storeFile,
      sha256: artifact.sha256,
      digest: artifact.digest,
      isDefault,
      workers: { ready: r.ready, wanted: r.wanted, min: model.minWorkers, max: model.maxWorkers },
      devices: placementSummary(model.workers),
      timings: { ...timings, totalMs: Date.now() - started },
    };
  };

  const existing = (await client.find(name, version))?.[0];
  let previous: { url: string; wasDefault: boolean; model: ModelDescription } | undefined;
  if (existing) {
    // The same files re-packaged (a new createdOn) carry the same digest: nothing to do.
    const prefix = storeFilePrefix(existing.modelUrl);
    const same =
      existing.modelUrl === storeFile ||
      (prefix !== undefined && [artifact.digest, artifact.sha256].some((d) => d.startsWith(prefix)));
    if (same) return result("unchanged", existing, await isDefaultVersion(client, name, version));
    if (!options.replace) {
      throw new MserveError(
        "CONFLICT",
        `${name}:${version} is already deployed on ${connection.label} from a different archive: the server holds ${prefix ? `digest ${prefix}…` : existing.modelUrl}, this archive is digest ${artifact.digest.slice(0, 12)}…`,
        {
          hint: options.replaceHint ?? "Give the new archive a new version, or pass --replace to swap it in.",
          details: { held: prefix ?? existing.modelUrl, digest: artifact.digest },
        },
      );
    }
    previous = {
      url: existing.modelUrl,
      wasDefault: await isDefaultVersion(client, name, version),
      model: existing,
    };
  }

  step(`copying ${storeFile} into the model store`);
  const copied = await placeInStore(artifact.path, store, storeFile);
  let registered = false;
  let registerSent = false;
  try {
    if (previous) {
      step(`unregistering the previous ${name}:${version}`);
      await retireVersion(client, name, version, previous.wasDefault);
    }
    step(`registering ${name}:${version}`);
    const registerStarted = Date.now();
    const sendWorkers = options.minWorkers !== undefined || artifact.configMinWorkers === undefined;
    registerSent = true;
    await client.register(
      {
        url: storeFile,
        initialWorkers: sendWorkers ? min : undefined,
        batchSize: options.batchSize,
        maxBatchDelayMs: options.maxBatchDelayMs,
        responseTimeoutSec: options.responseTimeoutSec,
        synchronous: options.wait,
      },
      options.timeoutMs,
    );
    registered = true;
    const registerMs = Date.now() - registerStarted;
    if (max > min || (options.maxWorkers !== undefined && sendWorkers)) {
      step(`scaling ${name}:${version} to ${min}..${max} workers`);
      await client.scale(name, version, { min, max, synchronous: options.wait }, options.timeoutMs);
    }
    if (previous?.wasDefault) await client.setDefault(name, version);
    if (!options.wait) {
      const [model] = await client.describe(name, version);
      return result(
        previous ? "replaced" : "deployed",
        model as ModelDescription,
        await isDefaultVersion(client, name, version),
        {
          registerMs,
        },
      );
    }
    step(`waiting for ${name}:${version} to be READY`);
    const model = await waitReady(client, name, version, {
      timeoutMs: Math.max(1_000, options.timeoutMs - (Date.now() - started)),
      signal: options.signal,
    });
    if (previous) await removeOwnStoreFile(store, previous.url);
    return result(previous ? "replaced" : "deployed", model, await isDefaultVersion(client, name, version), {
      registerMs,
      readyMs: Date.now() - started,
    });
  } catch (error) {
    // Clean-up must run even after Ctrl-C, so it uses a client without the aborted signal.
    const cleanup = client.detached();
    if (registered || (registerSent && mayHaveRegistered(error))) {
      await cleanup.unregister(name, version).catch(() => {});
    }
    if (copied) await rm(join(store, storeFile), { force: true });
    if (previous) {
      await cleanup
        .register({ url: previous.url, initialWorkers: previous.model.minWorkers, synchronous: false })
        .catch(() => {});
    }
    throw error;
  }
}

/**
 * A register call that timed out, was interrupted or lost its connection may
 * still have registered the model (TorchServe keeps loading it), and so has a 5xx;
 * one the server refused (409 from a concurrent deploy, 400, 404, 405) did not, and must not be undone.
 */
function mayHaveRegistered(error: unknown): boolean {
  if (!(error instanceof MserveError)) return false;
  if (["TIMEOUT", "INTERRUPTED", "UNREACHABLE"].includes(error.code)) return true;
  // A synchronous register whose workers fail answers 500 but leaves the model registered with 0 workers.
  return ((error.details as { status?: number } | undefined)?.status ?? 0) >= 500;
}

/** Unregisters a version; the default one can only go after another version takes over. */
async function retireVersion(client: TorchServeClient, name: string, version: string, isDefault: boolean) {
  if (isDefault) {
    const others = ((await client.find(name, "all")) ?? []).filter((m) => m.modelVersion !== version);
    if (others[0]) await client.setDefault(name, others[0].modelVersion);
  }
  await client.unregister(name, version);
}

/** TorchServe leaves store files registered by plain name; remove the ones mserve named. */

async function removeOwnStoreFile(store: string, url: string): Promise<void> {
  if (isStoreFileOfMserve(url)) await rm(join(store, url), { force: true });
}
