import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../archive/atomic-output.js";
import { invalidInput, notFound } from "../errors.js";
import { dockerRunning } from "./docker.js";
import { runDir, validateServerName } from "./home.js";
import { isGroupAlive, processCommandLine } from "./supervisor.js";
import type { ServerRecord, ServerState } from "./types.js";

const recordSchema = z.object({
  name: z.string(),
  target: z.literal("torchserve"),
  runtime: z.enum(["local", "docker"]),
  pid: z.number().int().positive().optional(),
  containerId: z.string().optional(),
  urls: z.record(z.string(), z.string()),
  ports: z.record(z.string(), z.number()),
  workDir: z.string(),
  logFile: z.string(),
  configFile: z.string(),
  modelStore: z.string(),
  tokenAuth: z.boolean(),
  keyFile: z.string().optional(),
  command: z.array(z.string()),
  startedAt: z.string(),
}) satisfies z.ZodType<ServerRecord>;

const recordPath = (env: NodeJS.ProcessEnv, name: string) =>
  join(runDir(env), `${validateServerName(name)}.json`);

export async function writeRecord(env: NodeJS.ProcessEnv, record: ServerRecord): Promise<void> {
  await writeFileAtomic(recordPath(env, record.name), `${JSON.stringify(record, null, 2)}\n`);
}

function parseRecord(text: string, file: string): ServerRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const result = recordSchema.safeParse(data);
  if (!result.success) {
    throw invalidInput(
      `the run record ${file} is damaged`,
      `Remove it (rm ${file}) and stop the server by hand if it runs.`,
    );
  }
  return result.data;
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
    throw error;
  });
  return parseRecord(text, file);
}

/** Every record; damaged files are reported as problems so one bad file does not hide the rest. */
export async function listRecords(
  env: NodeJS.ProcessEnv,
): Promise<{ records: ServerRecord[]; problems: string[] }> {
  const dir = runDir(env);
  const names = await readdir(dir).catch(() => [] as string[]);
  const records: ServerRecord[] = [];
  const problems: string[] = [];
  for (const file of names.filter((n) => n.endsWith(".json") && !n.startsWith("."))) {
    try {
      records.push(parseRecord(await readFile(join(dir, file), "utf8"), join(dir, file)));
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
 * reboot the pid may belong to another program, so its command line must match.
 */
export async function recordState(record: ServerRecord): Promise<ServerState> {
  if (record.runtime === "docker") {
    return record.containerId && (await dockerRunning(record.containerId)) ? "running" : "exited";
  }
  if (!record.pid || !isGroupAlive(record.pid)) return "exited";
  const cmdline = await processCommandLine(record.pid);
  if (cmdline === undefined) return "running";
  const program = record.command[0]?.split("/").pop() ?? "";
  return cmdline.some((arg) => arg.endsWith(program)) ? "running" : "exited";
}
