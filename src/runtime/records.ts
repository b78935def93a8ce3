import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fromFsError, invalidInput, notFound } from "../errors.js";
import { dockerRunning } from "./docker.js";
import { runDir, validateServerName } from "./home.js";
import { isGroupAlive, processCommandLine } from "./supervisor.js";
import type { ServerRecord, ServerState } from "./types.js";

const isString = (v: unknown): v is string => typeof v === "string";
const isRecordOf = (v: unknown, item: (x: unknown) => boolean) =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every(item);
const isPort = (v: unknown) => Number.isInteger(v);

/**
 * The fields of a run record and how to check each. Records are mserve's own
 * files, read by every server command, so they are checked by hand rather than
 * through the schema library (which would cost every `predict` its load time).
 */
const RECORD_FIELDS: Record<
  keyof ServerRecord,
  { required: boolean; check: (v: unknown) => boolean; want: string }
> = {
  name: { required: true, check: isString, want: "a string" },
  target: { required: true, check: (v) => isString(v) && /^[a-z][a-z0-9-]*$/.test(v), want: "a target id" },
  runtime: { required: true, check: (v) => v === "local" || v === "docker", want: '"local" or "docker"' },
  pid: {
    required: false,
    check: (v) => Number.isInteger(v) && (v as number) > 0,
    want: "a positive whole number",
  },
  containerId: { required: false, check: isString, want: "a string" },
  urls: { required: true, check: (v) => isRecordOf(v, isString), want: "a map of URLs" },
  ports: { required: true, check: (v) => isRecordOf(v, isPort), want: "a map of ports" },
  workDir: { required: true, check: isString, want: "a string" },
  logFile: { required: true, check: isString, want: "a string" },
  configFile: { required: true, check: isString, want: "a string" },
  modelStore: { required: true, check: isString, want: "a string" },
  tokenAuth: { required: true, check: (v) => typeof v === "boolean", want: "true or false" },
  keyFile: { required: false, check: isString, want: "a string" },
  gpus: { required: false, check: isString, want: "a string" },
  command: { required: true, check: (v) => Array.isArray(v) && v.every(isString), want: "a list of strings" },
  startedAt: { required: true, check: isString, want: "a string" },
};

/** What is wrong with a parsed record, or undefined when it is a ServerRecord. */
export function recordProblem(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "record: not an object";
  const fields = data as Record<string, unknown>;
  for (const [key, field] of Object.entries(RECORD_FIELDS)) {
    const value = fields[key];
    if (value === undefined) {
      if (field.required) return `${key}: missing`;
    } else if (!field.check(value)) return `${key}: expected ${field.want}`;
  }
  return undefined;
}

export const recordPath = (env: NodeJS.ProcessEnv, name: string): string =>
  join(runDir(env), `${validateServerName(name)}.json`);

/**
 * Temp sibling + rename, so a reader (`mserve ps` in another terminal) never
 * sees half a record. 0600: records point at key files and live in $HOME.
 */
export async function writeRecord(env: NodeJS.ProcessEnv, record: ServerRecord): Promise<void> {
  const file = recordPath(env, record.name);
  const problem = recordProblem(record);
  if (problem) throw new Error(`refusing to write a run record with ${problem}`);
  const content = `${JSON.stringify(record, null, 2)}\n`;
  await mkdir(runDir(env), { recursive: true, mode: 0o700 }).catch((error) =>
    Promise.reject(fromFsError(error, runDir(env), "run folder")),
  );
  // Loaded here, not at the top: every command reads records, only serve writes them (node:crypto is not free).
  const [{ discardTemp, reserveTempSibling }, { releaseTempPath }] = await Promise.all([
    import("../archive/atomic-output.js"),
    import("../archive/temp-paths.js"),
  ]);
  const temp = reserveTempSibling(file);
  try {
    await writeFile(temp, content, { mode: 0o600 });
    await rename(temp, file);
    releaseTempPath(temp);
  } catch (error) {
    await discardTemp(temp);
    throw fromFsError(error, file, "run record");
  }
}

function parseRecord(text: string, file: string): ServerRecord {
  let data: unknown;
  let why = "not JSON";
  try {
    data = JSON.parse(text);
    why = "";
  } catch {}
  const problem = why ? undefined : recordProblem(data);
  if (!why && !problem) {
    // Only the known fields: a record is what mserve wrote, not whatever a file holds.
    const fields = data as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(RECORD_FIELDS).flatMap((k) => (fields[k] === undefined ? [] : [[k, fields[k]]])),
    ) as unknown as ServerRecord;
  }
  if (problem) why = problem;
  throw invalidInput(
    `the run record ${file} is damaged (${why})`,
    `Remove it (rm ${file}) and stop the server by hand if it still runs.`,
  );
}

export async function readRecord(env: NodeJS.ProcessEnv, name: string): Promise<ServerRecord> {
  const file = recordPath(env, name);
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      throw notFound(
        `no server named ${name}`,
        `\`mserve ps\` lists the servers mserve started; start this one with \`mserve serve --name ${name}\`.`,
      );
    }
    throw fromFsError(error, file, "run record");
  });
  return parseRecord(text, file);
}

/** Every record; damaged files are reported as problems so one bad file does not hide the rest. */
export async function listRecords(
  env: NodeJS.ProcessEnv,
): Promise<{ records: ServerRecord[]; problems: string[] }> {
  const dir = runDir(env);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw fromFsError(error, dir, "run folder");
  });
  const records: ServerRecord[] = [];
  const problems: string[] = [];
  // Dot files are temp files of a write in progress, not records.
  for (const entry of names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort()) {
    const file = join(dir, entry);
    try {
      const record = parseRecord(await readFile(file, "utf8"), file);
      // A renamed file would be unreachable by name (`mserve stop <name>` reads <name>.json).
      if (`${record.name}.json` !== basename(file)) {
        throw invalidInput(`the run record ${file} is damaged (it names the server ${record.name})`);
      }
      records.push(record);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { records, problems };
}

export async function removeRecord(env: NodeJS.ProcessEnv, name: string): Promise<void> {
  await rm(recordPath(env, name), { force: true });
}

/**
 * Whether the recorded server still runs. A live pid is not enough: after a
 * reboot or a long time the pid may belong to another program, so on Linux
 * its command line must still mention the program that was started.
 */
export async function recordState(
  record: ServerRecord,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerState> {
  if (record.runtime === "docker") {
    return record.containerId && (await dockerRunning(record.containerId, env)) ? "running" : "exited";
  }
  if (!record.pid || !isGroupAlive(record.pid)) return "exited";
  const cmdline = await processCommandLine(record.pid);
  // No /proc (macOS), or the leader is gone while the rest of its group runs: trust the group.
  if (cmdline === undefined) return "running";
  return commandMatches(cmdline, record.command) ? "running" : "exited";
}

/** `torchserve` runs as `python3 /venv/bin/torchserve …`, so look for the program in any argument. */
function commandMatches(cmdline: string[], command: string[]): boolean {
  const program = command[0];
  if (!program) return true;
  const name = basename(program);
  return cmdline.some((arg) => arg === program || basename(arg) === name);
}
