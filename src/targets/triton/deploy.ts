import { cp, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { conflict, fromFsError, invalidInput, MserveError, usageError } from "../../errors.js";
import { readLogTail } from "../../runtime/logs.js";
import { waitUntil } from "../../runtime/wait.js";
import type { TritonConnection } from "./connect.js";
import { validateTriton } from "./validate.js";

export interface TritonDeployResult {
  name: string;
  versions: string[];
  server: string;
  repository: string;
  state: string;
  timings: { loadMs: number; totalMs: number };
}

/** Whether two files or folders hold the same names and bytes (re-deploying the same version is a no-op). */
async function sameTree(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b).catch(() => undefined)]);
  if (!sb || sa.isDirectory() !== sb.isDirectory()) return false;
  if (!sa.isDirectory()) return sa.size === sb.size && (await readFile(a)).equals(await readFile(b));
  // The Python backend writes __pycache__ next to model.py once loaded: not part of what was deployed.
  const listed = async (dir: string) => (await readdir(dir)).filter((n) => n !== "__pycache__");
  const [ea, eb] = await Promise.all([listed(a), listed(b)]);
  if (ea.length !== eb.length || ea.some((n) => !eb.includes(n))) return false;
  for (const n of ea) if (!(await sameTree(join(a, n), join(b, n)))) return false;
  return true;
}

/** Copies a model folder into the server's repository: new versions are added, an identical one is kept. */
async function placeModel(source: string, repository: string, replace: boolean): Promise<void> {
  const name = basename(source);
  const target = join(repository, name);
  if (resolve(source) === resolve(target)) return;
  if (
    !(await stat(target).then(
      () => true,
      () => false,
    ))
  ) {
    const temp = reserveTempSibling(target);
    await cp(source, temp, { recursive: true });
    await rename(temp, target);
    releaseTempPath(temp);
    return;
  }
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const to = join(target, entry.name);
    const exists = await stat(to).then(
      () => true,
      () => false,
    );
    if (exists && (await sameTree(join(source, entry.name), to))) continue;
    if (exists && !replace) {
      throw conflict(
        `${name}/${entry.name} already exists in ${repository}`,
        "Package a new version, or pass --replace.",
      );
    }
    const temp = reserveTempSibling(to);
    await cp(join(source, entry.name), temp, { recursive: true });
    if (exists) await rm(to, { recursive: true, force: true });
    await rename(temp, to);
    releaseTempPath(temp);
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

/** Validates offline, places the model in the repository, loads it and waits until every version is READY. */
export async function deployTriton(
  connection: TritonConnection,
  modelDir: string,
  options: { replace: boolean; timeoutMs: number; signal?: AbortSignal; onStep?: (step: string) => void },
): Promise<TritonDeployResult> {
  const started = Date.now();
  const step = options.onStep ?? (() => {});
  const name = basename(modelDir);
  const validation = await validateTriton(modelDir, "/");
  const errors = validation.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw invalidInput(
      `${name} would not load in Triton: ${errors[0]?.message}`,
      `Run \`mserve validate ${modelDir}\` for all ${errors.length} problem(s).`,
      { diagnostics: errors },
    );
  }
  if (!connection.repository) {
    throw usageError(
      `the model repository of ${connection.label} is unknown`,
      "Pass --repository with the folder the server was started with.",
    );
  }
  step(`placing ${name} in ${connection.repository}`);
  await placeModel(modelDir, connection.repository, options.replace).catch((error) => {
    throw error instanceof MserveError
      ? error
      : fromFsError(error, join(connection.repository as string, name), "model folder");
  });
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
  step(`waiting for ${name} to be READY`);
  const versions = await waitUntil(
    async () => {
      const mine = (await connection.client.index()).filter((e) => e.name === name && e.version);
      return mine.length > 0 && mine.every((e) => e.state === "READY")
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
  return {
    name,
    versions,
    server: connection.label,
    repository: connection.repository,
    state: "READY",
    timings: { loadMs, totalMs: Date.now() - started },
  };
}
