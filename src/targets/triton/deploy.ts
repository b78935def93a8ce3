import { cp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { conflict, fromFsError, invalidInput, MserveError, usageError } from "../../errors.js";
import { pathExists, sameTree } from "../../files.js";
import { toProtoJson } from "../../pbtxt/canonical.js";
import type { ProtoMessage } from "../../pbtxt/schema.js";
import { schema as TRITON_MODEL_CONFIG } from "../../pbtxt/schemas/triton-model-config.js";
import { markPlaced } from "../../release/version-folder.js";
import { readLogTail } from "../../runtime/logs.js";
import { waitUntil } from "../../runtime/wait.js";
import { checkBackends } from "./backend-check.js";
import { type ModelConfig, readModelConfig, writeModelConfig } from "./config.js";
import type { TritonConnection } from "./connect.js";
import { gpuInstanceGroups } from "./gpu-groups.js";
import { validateTriton } from "./validate.js";
import { tritonFolder } from "./version-folder.js";

export interface TritonDeployResult {
  name: string;
  versions: string[];
  server: string;
  repository: string;
  state: string;
  /** The instance groups Triton loaded it with (its normalized config): where the instances run. */
  instances?: ModelConfig["instance_group"];
  timings: { loadMs: number; totalMs: number };
}

/** What placing changed, so that a failed deploy can put the repository back as it was. */
interface Placed {
  /** Paths mserve created. */
  created: string[];
  /** Paths it replaced: the old content waits at `aside` until the deploy succeeds. */
  replaced: { path: string; aside: string }[];
}

/** README.md and requirements.txt next to config.pbtxt are mserve's notes: replaced without --replace. */
const NOTES = new Set(["README.md", "requirements.txt"]);

/**
 * Copies a model folder into the server's repository: new versions are added, an
 * identical one is kept. `overrides` replaces top-level files' content in the copy
 * (config.pbtxt with the instance groups of --gpus); the source stays as it is.
 */
async function placeModel(
  source: string,
  repository: string,
  replace: boolean,
  placed: Placed,
  overrides: Record<string, string> = {},
): Promise<void> {
  const name = basename(source);
  const target = join(repository, name);
  if (resolve(source) === resolve(target) && Object.keys(overrides).length === 0) return;
  if (!(await pathExists(target))) {
    const temp = reserveTempSibling(target);
    await cp(source, temp, { recursive: true });
    for (const [file, content] of Object.entries(overrides)) await writeFile(join(temp, file), content);
    await rename(temp, target);
    releaseTempPath(temp);
    placed.created.push(target);
    return;
  }
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const to = join(target, entry.name);
    const exists = await pathExists(to);
    const override = overrides[entry.name];
    if (override !== undefined) {
      if (exists && (await readFile(to, "utf8").catch(() => undefined)) === override) continue;
    } else if (resolve(join(source, entry.name)) === resolve(to)) continue;
    else if (exists && (await sameTree(join(source, entry.name), to))) continue;
    if (exists && !replace && !NOTES.has(entry.name)) {
      throw conflict(
        `${name}/${entry.name} already exists in ${repository}`,
        "Package a new version, or pass --replace.",
      );
    }
    const temp = reserveTempSibling(to);
    if (override !== undefined) await writeFile(temp, override);
    else await cp(join(source, entry.name), temp, { recursive: true });
    if (exists) {
      const aside = reserveTempSibling(to);
      await rename(to, aside);
      placed.replaced.push({ path: to, aside });
    } else placed.created.push(to);
    await rename(temp, to);
    releaseTempPath(temp);
  }
}

/** A failed deploy: what was placed goes, what was replaced comes back. */
async function undoPlacement(placed: Placed): Promise<void> {
  for (const path of placed.created.reverse())
    await rm(path, { recursive: true, force: true }).catch(() => {});
  for (const { path, aside } of placed.replaced.reverse()) {
    await rm(path, { recursive: true, force: true }).catch(() => {});
    await rename(aside, path).catch(() => {});
    releaseTempPath(aside);
  }
}

/** A successful deploy: the replaced content is no longer needed. */
async function commitPlacement(placed: Placed): Promise<void> {
  for (const { aside } of placed.replaced) {
    await rm(aside, { recursive: true, force: true }).catch(() => {});
    releaseTempPath(aside);
  }
}

/**
 * Why Triton refused a model: its load error says little ("failed to load"),
 * the repository index has the reason, and the log has the traceback.
 */
async function loadFailure(connection: TritonConnection, name: string, error: unknown): Promise<MserveError> {
  const entries = await connection.client.index().catch(() => []);
  const reasons = entries
    .filter((e) => e.name === name && e.reason)
    .map((e) => `${e.version ? `v${e.version}: ` : ""}${e.reason?.split("\n")[0]}`);
  const logFile = connection.record?.logFile;
  const log = logFile
    ? (await readLogTail(logFile, 200).catch(() => ""))
        .split("\n")
        .filter((l) => l.includes(name) || l.includes("Error parsing text-format"))
        .slice(-8)
    : [];
  const first = reasons[0] ?? (error instanceof Error ? error.message : String(error));
  return new MserveError(
    "SERVER_ERROR",
    `Triton could not load ${name}: ${first.replace(/^Triton load \S+: /, "")}`,
    {
      hint: logFile
        ? `The server log (${logFile}) has the full error; \`mserve validate\` checks configs offline.`
        : "`mserve validate` checks configs offline.",
      details: { reasons, log },
    },
  );
}

interface ToPlace {
  name: string;
  dir: string;
  config: ModelConfig;
  /** Copied into the server's repository (else it is there already). */
  place: boolean;
}

async function mustValidate(dir: string): Promise<void> {
  const validation = await validateTriton(dir, "/");
  const errors = validation.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw invalidInput(
      `${basename(dir)} would not load in Triton: ${errors[0]?.message}`,
      `Run \`mserve validate ${dir}\` for all ${errors.length} problem(s).`,
      { diagnostics: errors },
    );
  }
}

async function configAt(dir: string): Promise<ModelConfig> {
  const read = await readModelConfig(join(dir, "config.pbtxt"));
  if (!read.ok) throw invalidInput(`${dir}/config.pbtxt: ${read.line}:${read.column}: ${read.message}`);
  return read.config;
}

/**
 * The model, and for an ensemble its steps: those the server's repository
 * lacks are taken from next to the ensemble's folder, as `package` leaves them.
 */
async function modelsToPlace(modelDir: string, repository: string): Promise<ToPlace[]> {
  const name = basename(modelDir);
  const config = await configAt(modelDir);
  const models: ToPlace[] = [];
  for (const stepName of new Set((config.ensemble_scheduling?.step ?? []).map((s) => s.model_name ?? ""))) {
    const onServer = join(repository, stepName);
    const beside = join(dirname(modelDir), stepName);
    if (resolve(beside) !== resolve(onServer) && (await pathExists(join(beside, "config.pbtxt")))) {
      await mustValidate(beside);
      models.push({ name: stepName, dir: beside, config: await configAt(beside), place: true });
    } else if (await pathExists(join(onServer, "config.pbtxt"))) {
      models.push({ name: stepName, dir: onServer, config: await configAt(onServer), place: false });
    } else {
      throw invalidInput(
        `ensemble ${name} runs ${stepName}, which is neither in ${repository} nor next to ${modelDir}`,
        `Package ${stepName} into the same repository first.`,
      );
    }
  }
  models.push({ name, dir: modelDir, config, place: true });
  return models;
}

/**
 * Validates offline, checks the server has the backends, places the model (and
 * an ensemble's steps) in the repository, loads it and waits until every
 * version is READY. A failed load takes out what was placed again.
 */
export async function deployTriton(
  connection: TritonConnection,
  modelDir: string,
  options: {
    replace: boolean;
    timeoutMs: number;
    signal?: AbortSignal;
    onStep?: (step: string) => void;
    /** Run once READY (a smoke request); a failure undoes the deploy like a failed load. */
    verify?: (name: string) => Promise<unknown>;
    /**
     * Versions to serve whatever config.pbtxt's version policy says (a registry
     * version, with those already READY): loaded with a policy naming them, so
     * an alias moving back to an older version finds it served.
     */
    serve?: string[];
    /** The registry version's id, recorded in the markers. */
    id?: string;
    /** `--gpus`: instance groups for these GPUs go into the server's copy of config.pbtxt. */
    gpus?: string;
    onWarn?: (message: string) => void;
  },
): Promise<TritonDeployResult & { verified?: unknown }> {
  const started = Date.now();
  const step = options.onStep ?? (() => {});
  const name = basename(modelDir);
  await mustValidate(modelDir);
  if (!connection.repository) {
    throw usageError(
      `the model repository of ${connection.label} is unknown`,
      "Pass --repository with the folder the server was started with.",
    );
  }
  const repository = connection.repository;
  const models = await modelsToPlace(modelDir, repository);
  const main = models.at(-1) as ToPlace;
  const overrides: Record<string, string> = {};
  if (options.gpus !== undefined) {
    if (main.config.platform === "ensemble" || main.config.backend === "ensemble")
      throw usageError(
        `${name} is an ensemble: it has no instances of its own, so --gpus does not apply`,
        "Deploy the models it runs with --gpus, then the ensemble without it.",
      );
    const { groups, warnings } = gpuInstanceGroups(options.gpus, main.config, connection.record?.gpus);
    for (const warning of warnings) options.onWarn?.(warning);
    main.config = { ...main.config, instance_group: groups };
    overrides["config.pbtxt"] = writeModelConfig(main.config);
  }
  if (
    options.gpus === undefined &&
    connection.record?.gpus === "none" &&
    main.config.instance_group?.some((g) => g.kind === "KIND_GPU")
  )
    options.onWarn?.(
      `${name} has a KIND_GPU instance group but ${connection.label} was started with --gpus none: Triton will refuse to load it (no GPU is visible to it)`,
    );
  step(`checking ${connection.label} has the backends ${name} needs`);
  await checkBackends(
    connection,
    models.map((m) => ({ model: m.name, config: m.config, dir: m.dir })),
  );
  const ready = new Set(
    (await connection.client.index()).filter((e) => e.state === "READY").map((e) => e.name),
  );
  const placed: Placed = { created: [], replaced: [] };
  try {
    for (const m of models.filter((m) => m.place)) {
      step(`placing ${m.name} in ${repository}`);
      await placeModel(m.dir, repository, options.replace, placed, m === main ? overrides : {});
    }
  } catch (error) {
    await undoPlacement(placed);
    throw error instanceof MserveError ? error : fromFsError(error, join(repository, name), "model folder");
  }
  const rollback = async (attempted: string[]) => {
    await undoPlacement(placed);
    // What was serving before keeps serving; what this deploy brought is unloaded, so nothing lingers as UNAVAILABLE.
    for (const m of [...attempted].reverse()) {
      if (ready.has(m)) await connection.client.load(m, options.timeoutMs).catch(() => {});
      else await connection.client.unload(m).catch(() => {});
    }
  };
  const loadStarted = Date.now();
  // Steps first (those not READY already), so a step's failure is reported as its own.
  const toLoad = models.filter((m) => m.name === name || m.place || !ready.has(m.name));
  const attempted: string[] = [];
  try {
    for (const m of toLoad) {
      step(`loading ${m.name}`);
      attempted.push(m.name);
      const override =
        m.name === name && options.serve ? servingOverride(m.config, options.serve) : undefined;
      await connection.client.load(
        m.name,
        Math.max(1_000, options.timeoutMs - (Date.now() - started)),
        override,
      );
    }
  } catch (error) {
    const network =
      error instanceof MserveError && ["UNREACHABLE", "TIMEOUT", "INTERRUPTED", "AUTH"].includes(error.code);
    const failure = network ? error : await loadFailure(connection, attempted.at(-1) ?? name, error);
    await rollback(attempted);
    throw failure;
  }
  const loadMs = Date.now() - loadStarted;
  step(`waiting for ${name} to be READY`);
  const versions = await waitUntil(
    async () => {
      // Versions the version policy left out (an older one, once a newer is placed) read "unloaded": not waited for.
      const mine = (await connection.client.index()).filter(
        (e) =>
          e.name === name &&
          e.version &&
          (options.serve
            ? options.serve.includes(e.version)
            : !(e.state === "UNAVAILABLE" && e.reason === "unloaded")),
      );
      return mine.length >= (options.serve?.length ?? 1) && mine.every((e) => e.state === "READY")
        ? mine.map((e) => e.version as string)
        : undefined;
    },
    {
      timeoutMs: Math.max(1_000, options.timeoutMs - (Date.now() - started)),
      intervalMs: 100,
      signal: options.signal,
      what: `${name} to be READY in Triton`,
    },
  );
  let verified: unknown;
  if (options.verify) {
    step("smoke request");
    try {
      verified = await options.verify(name);
    } catch (error) {
      await rollback(toLoad.map((m) => m.name));
      throw error;
    }
  }
  await commitPlacement(placed);
  // Each version placed gets its marker: what exact releases compare with the registry's digest.
  // Hashed from the source folder: what was placed, whatever the server's copy becomes (--gpus).
  for (const m of models.filter((m) => m.place))
    for (const version of await versionFolders(m.dir))
      await markPlaced(
        {
          ...tritonFolder(repository, m.name, version),
          parts: tritonFolder(dirname(m.dir), m.name, version).parts,
        },
        m.name === name ? options.id : undefined,
      );
  // Triton's own view of the loaded config: KIND_AUTO resolved, defaults filled in.
  const loaded = await connection.client.config(name).catch(() => undefined);
  return {
    ...(options.verify ? { verified } : {}),
    name,
    versions,
    server: connection.label,
    repository,
    state: "READY",
    instances: (loaded?.instance_group as ModelConfig["instance_group"]) ?? main.config.instance_group,
    timings: { loadMs, totalMs: Date.now() - started },
  };
}

const VERSION_FOLDER = /^[1-9][0-9]*$/;

async function versionFolders(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && VERSION_FOLDER.test(e.name))
    .map((e) => e.name);
}

/** Triton's load API takes a whole config as JSON: this one, with a policy that serves exactly `versions`. */
function servingOverride(config: ModelConfig, versions: string[]): Record<string, string> {
  const json = toProtoJson(config as unknown as ProtoMessage, TRITON_MODEL_CONFIG);
  json.version_policy = { specific: { versions: versions.map(Number).sort((a, b) => a - b) } };
  return { config: JSON.stringify(json) };
}
