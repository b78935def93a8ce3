import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { invalidInput, usageError } from "../../errors.js";
import { markPlaced } from "../../release/version-folder.js";
import { waitUntil } from "../../runtime/wait.js";
import type { TfServingConnection } from "./connect.js";
import { parseModelsConfig } from "./models-config.js";
import { packageTfServing, type TfServingPackageOptions } from "./package.js";
import { tfFolder } from "./version-folder.js";

/**
 * Places the version in the server's base folder (package --target tfserving),
 * then waits until TF Serving, on its next models.config poll, reports it AVAILABLE.
 */
export async function deployTfServing(
  connection: TfServingConnection,
  options: Omit<TfServingPackageOptions, "base"> & {
    timeoutMs: number;
    signal?: AbortSignal;
    onStep?: (step: string) => void;
  },
) {
  if (!connection.base) {
    throw usageError(
      `the model base folder of ${connection.label} is unknown`,
      "Pass --base with the folder holding its models.config.",
    );
  }
  const { name, version } = options;
  const placed = await packageTfServing({ ...options, base: connection.base });
  options.onStep?.(
    `waiting for ${name}:${version} to be AVAILABLE (TF Serving re-reads models.config on its poll interval)`,
  );
  const started = Date.now();
  const status = await waitAvailable(connection, name, version, options);
  await markPlaced({
    ...tfFolder(connection.base, name, version),
    parts: [{ source: options.savedModel, prefix: "" }],
  });
  return { ...placed, server: connection.label, state: status.state, waitedMs: Date.now() - started };
}

/** Waits until TF Serving, on its next models.config poll, reports the version AVAILABLE; a load error fails at once. */
export async function waitAvailable(
  connection: TfServingConnection,
  name: string,
  version: string,
  options: { timeoutMs: number; signal?: AbortSignal },
) {
  return waitUntil(
    async () => {
      const states = await connection.client.status(name, { version }).catch(() => []);
      const mine = states.find((s) => s.version === version);
      if (mine?.status.error_code && mine.status.error_code !== "OK") {
        throw invalidInput(`TF Serving could not load ${name}:${version}: ${mine.status.error_message}`);
      }
      return mine?.state === "AVAILABLE" ? mine : undefined;
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: 200,
      signal: options.signal,
      what: `${name}:${version} to be AVAILABLE`,
    },
  );
}

/** The state of every version TF Serving reports for the named models, or for all models in its models.config. */
export async function modelStates(connection: TfServingConnection, names?: string[]) {
  let wanted = names ?? [];
  if (!names && connection.base) {
    const text = await readFile(join(connection.base, "models.config"), "utf8").catch(() => "");
    const read = parseModelsConfig(text);
    wanted = read.ok
      ? (read.config.model_config_list?.config ?? []).map((m) => m.name ?? "").filter(Boolean)
      : [];
  }
  const out: { name: string; version: string; state: string; error?: string }[] = [];
  for (const name of wanted) {
    for (const s of await connection.client.status(name)) {
      out.push({
        name,
        version: s.version,
        state: s.state,
        ...(s.status.error_message ? { error: s.status.error_message } : {}),
      });
    }
  }
  return out;
}
