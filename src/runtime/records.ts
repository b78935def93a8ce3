import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { discardTemp, reserveTempSibling } from "../archive/atomic-output.js";
import { releaseTempPath } from "../archive/temp-paths.js";
import { fromFsError, invalidInput, notFound } from "../errors.js";
import { dockerRunning } from "./docker.js";
import { runDir, validateServerName } from "./home.js";
import { isGroupAlive, processCommandLine } from "./supervisor.js";
import type { ServerRecord, ServerState } from "./types.js";

export const serverRecordSchema = z.object({
  name: z.string(),
  target: z.string().regex(/^[a-z][a-z0-9-]*$/),
  runtime: z.enum(["local", "docker"]),
  pid: z.number().int().positive().optional(),
  containerId: z.string().optional(),
  urls: z.record(z.string(), z.string()),
  ports: z.record(z.string(), z.number().int()),
  workDir: z.string(),
  logFile: z.string(),
  configFile: z.string(),
  modelStore: z.string(),
  tokenAuth: z.boolean(),
  keyFile: z.string().optional(),
  command: z.array(z.string()),
  startedAt: z.string(),
}) satisfies z.ZodType<ServerRecord>;

export const recordPath = (env: NodeJS.ProcessEnv, name: string): string =>
  join(runDir(env), `${validateServerName(name)}.json`);

/**
 * Temp sibling + rename, so a reader (`mserve ps` in another terminal) never
 * sees half a record. 0600: records point at key files and live in $HOME.
 */
export async function writeRecord(env: NodeJS.ProcessEnv, record: ServerRecord): Promise<void> {
  const file = recordPath(env, record.name);
  const content = `${JSON.stringify(serverRecordSchema.parse(record), null, 2)}\n`;
  await mkdir(runDir(env), { recursive: true, mode: 0o700 }).catch((error) =>
    Promise.reject(fromFsError(error, runDir(env), "run folder")),
  );
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
  const result = why ? undefined : serverRecordSchema.safeParse(data);
  if (result?.success) return result.data;
  const issue = result?.error.issues[0];
  if (issue) why = `${issue.path.join(".") || "record"}: ${issue.message}`;
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
