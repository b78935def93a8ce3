import { cp, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { conflict, fromFsError, invalidInput, MserveError, usageError } from "../../errors.js";
import { pathExists, sameTree } from "../../files.js";
import { markPlaced } from "../../release/version-folder.js";
import { readLogTail } from "../../runtime/logs.js";
import { waitUntil } from "../../runtime/wait.js";
import type { MlserverConnection } from "./connect.js";
import { runtimeCheckFor } from "./locate.js";
import type { MlserverModel } from "./validate.js";
import { validateMlserver } from "./validate.js";
import { mlserverFolder } from "./version-folder.js";

export interface MlserverDeployResult {
  name: string;
  versions: string[];
  server: string;
  repository: string;
  state: "READY";
  placed: { version: string; status: "placed" | "unchanged" | "replaced" }[];
  timings: { loadMs: number; totalMs: number };
}

/** Copies one version folder to <repository>/<name>/<version>; an identical one is kept, another needs --replace. */
async function placeVersion(
  model: MlserverModel & { version: string },
  repository: string,
  replace: boolean,
): Promise<"placed" | "unchanged" | "replaced"> {
  const target = join(repository, model.name, model.version);
  if (resolve(model.dir) === resolve(target)) return "unchanged";
  const exists = await pathExists(target);
  if (exists && (await sameTree(model.dir, target))) return "unchanged";
  if (exists && !replace)
    throw conflict(
      `${model.name} version ${model.version} is already in ${repository} with other files`,
      "Package a new version, or pass --replace.",
    );
  const temp = reserveTempSibling(target);
  try {
    await cp(model.dir, temp, { recursive: true });
    if (exists) await rm(target, { recursive: true, force: true });
    await rename(temp, target);
  } finally {
    await rm(temp, { recursive: true, force: true });
    releaseTempPath(temp);
  }
  return exists ? "replaced" : "placed";
}

/** MLServer's load error says what failed ("builtins.ValueError: …"); its log has the traceback. */
async function loadFailure(
  connection: MlserverConnection,
  name: string,
  error: unknown,
): Promise<MserveError> {
  const logFile = connection.record?.logFile;
  const tail = logFile ? (await readLogTail(logFile, 200).catch(() => "")).split("\n") : [];
  // An exception in load() comes back as a 500 whose body starts a traceback; its last line is the reason.
  const raised = tail.filter((l) => /^[\w.]+(Error|Exception)\b.*:/.test(l)).at(-1);
  const log = tail.filter((l) => /Error|Exception|Traceback|File "/.test(l)).slice(-8);
  const said = (error instanceof Error ? error.message : String(error)).replace(/^MLServer load \S+: /, "");
  const reason = raised && /^Traceback/.test(said) ? `${raised} (HTTP 500)` : said;
  return new MserveError("SERVER_ERROR", `MLServer could not load ${name}: ${reason}`, {
    hint: logFile
      ? `The server log (${logFile}) has the traceback; \`mserve validate\` checks model-settings.json offline.`
      : "`mserve validate` checks model-settings.json offline.",
    details: { log },
  });
}

/**
 * Validates offline (runtimes against the server's own install), places each
 * version under <repository>/<name>/<version>, loads the model through the
 * repository API (MLServer loads every version it finds for the name, and
 * unloads versions no longer there) and waits until each version answers ready.
 */
export async function deployMlserver(
  connection: MlserverConnection,
  modelDir: string,
  options: {
    replace: boolean;
    wait: boolean;
    timeoutMs: number;
    signal?: AbortSignal;
    onStep?: (step: string) => void;
    /** A registry version: the folder must hold exactly this name and version. */
    expect?: { name: string; version: string };
    /** The registry version's id, recorded in the marker. */
    id?: string;
  },
): Promise<MlserverDeployResult> {
  const started = Date.now();
  const step = options.onStep ?? (() => {});
  const check = runtimeCheckFor(connection.install, connection.label);
  const validation = await validateMlserver(modelDir, "/", check);
  const errors = validation.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw invalidInput(
      `${validation.models[0]?.name ?? modelDir} would not load in MLServer: ${errors[0]?.message}`,
      `${errors[0]?.hint ? `${errors[0].hint} ` : ""}Run \`mserve validate ${modelDir}\` for all ${errors.length} problem(s).`,
      { diagnostics: errors },
    );
  const names = [...new Set(validation.models.map((m) => m.name))];
  if (names.length !== 1)
    throw usageError(
      `${modelDir} holds ${names.length === 0 ? "no model" : `several models (${names.join(", ")})`}`,
      "Deploy one model folder (NAME/ or NAME/VERSION/) at a time.",
    );
  const name = names[0] as string;
  const expected = options.expect;
  if (expected && (name !== expected.name || validation.models.some((m) => m.version !== expected.version)))
    throw invalidInput(
      `the registry's ${expected.name}:${expected.version} holds ${validation.models.map((m) => `${m.name}:${m.version ?? "(no version)"}`).join(", ")}`,
      "Push each version as `mserve package --target mlserver --register` writes it.",
    );
  const unversioned = validation.models.filter((m) => !m.version);
  if (unversioned.length > 0)
    throw usageError(
      `${name} has no parameters.version in ${unversioned[0]?.dir}`,
      "mserve deploys versions: set parameters.version (mserve package --target mlserver writes it).",
    );
  if (!connection.repository)
    throw usageError(
      `the model repository of ${connection.label} is unknown`,
      "Pass --repository with the folder the server was started with.",
    );
  const repository = connection.repository;
  const placed: MlserverDeployResult["placed"] = [];
  for (const model of validation.models as (MlserverModel & { version: string })[]) {
    step(`placing ${name} version ${model.version} in ${repository}`);
    const status = await placeVersion(model, repository, options.replace).catch((error) => {
      throw error instanceof MserveError ? error : fromFsError(error, join(repository, name), "model folder");
    });
    placed.push({ version: model.version, status });
  }
  step(`loading ${name}`);
  const loadStarted = Date.now();
  try {
    await connection.client.load(name, options.timeoutMs);
  } catch (error) {
    if (
      error instanceof MserveError &&
      ["UNREACHABLE", "TIMEOUT", "INTERRUPTED", "AUTH"].includes(error.code)
    )
      throw error;
    throw await loadFailure(connection, name, error);
  }
  const loadMs = Date.now() - loadStarted;
  const versions = placed.map((p) => p.version);
  if (options.wait) {
    step(`waiting for ${name} to be ready`);
    await waitUntil(
      async () => {
        const ready = await Promise.all(versions.map((v) => connection.client.ready(name, v)));
        return ready.every(Boolean) ? true : undefined;
      },
      {
        timeoutMs: Math.max(1_000, options.timeoutMs - (Date.now() - started)),
        intervalMs: 100,
        signal: options.signal,
        what: `${name} (versions ${versions.join(", ")}) to be ready in MLServer`,
      },
    );
  }
  // Each placed version gets its marker: what exact releases compare with the registry's digest.
  // Hashed from the source folders: what was placed.
  for (const model of validation.models as (MlserverModel & { version: string })[])
    await markPlaced(
      { ...mlserverFolder(repository, name, model.version), parts: [{ source: model.dir, prefix: "" }] },
      options.id,
    );
  return {
    name,
    versions,
    server: connection.label,
    repository,
    state: "READY",
    placed,
    timings: { loadMs, totalMs: Date.now() - started },
  };
}
