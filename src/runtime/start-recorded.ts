import { MserveError } from "../errors.js";
import { dockerRun, dockerRunning } from "./docker.js";
import { readLogTail } from "./logs.js";
import { checkPortsFree } from "./ports.js";
import { readRecord, recordState, removeRecord, writeRecord } from "./records.js";
import { stopRecorded } from "./servers.js";
import { isGroupAlive, startDetached } from "./supervisor.js";
import type { ServerRecord } from "./types.js";
import { waitUntil } from "./wait.js";

export interface RecordedLaunch {
  /** The record without pid/containerId/startedAt; those are filled in here. */
  record: Omit<ServerRecord, "pid" | "containerId" | "startedAt">;
  runtime: "local" | "docker";
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  ports: Record<string, number>;
  /** Whether the server answers yet; called until it says true or the time runs out. */
  probe: () => Promise<boolean>;
  /** e.g. "Triton triton to answer /v2/health/live". */
  what: string;
  /** Server name in messages, e.g. "tritonserver". */
  label: string;
}

/**
 * The part of `serve` every server shares: refuse a name that is running
 * (a stale record is removed), check the ports, start the process group or the
 * container, record it, and wait until `probe` answers. A server that dies or
 * never answers is stopped and its record removed, so nothing stray is left.
 */
export async function startRecorded(
  launch: RecordedLaunch,
  options: { env: NodeJS.ProcessEnv; wait: boolean; timeoutMs: number; signal: AbortSignal },
): Promise<{ record: ServerRecord; readyMs?: number }> {
  const { env } = options;
  const name = launch.record.name;
  const existing = await readRecord(env, name).catch(() => undefined);
  if (existing && (await recordState(existing)) === "running") {
    throw new MserveError("CONFLICT", `a server named ${name} is already running`, {
      hint: `Stop it with \`mserve stop ${name}\`, or choose another --name.`,
    });
  }
  if (existing) await removeRecord(env, name);
  await checkPortsFree(Object.entries(launch.ports).map(([role, port]) => ({ role, port })));
  const started = Date.now();
  const base = { ...launch.record, startedAt: new Date(started).toISOString() };
  const record: ServerRecord =
    launch.runtime === "local"
      ? {
          ...base,
          pid: (
            await startDetached({
              file: launch.file,
              args: launch.args,
              cwd: launch.cwd,
              env: launch.env,
              logFile: launch.logFile,
            })
          ).pid,
        }
      : { ...base, containerId: await dockerRun(launch.args, env) };
  await writeRecord(env, record);
  if (!options.wait) return { record };
  try {
    await waitUntil(
      async () => {
        const alive =
          record.runtime === "local"
            ? isGroupAlive(record.pid as number)
            : await dockerRunning(record.containerId ?? "");
        if (!alive) {
          const tail = await readLogTail(launch.logFile, 30).catch(() => "");
          throw new MserveError(
            /address already in use|bind/i.test(tail) ? "CONFLICT" : "SERVER_ERROR",
            `${launch.label} exited during start-up`,
            {
              hint: `See the log: ${launch.logFile}`,
              details: { log: tail.split("\n").slice(-15) },
            },
          );
        }
        return (await launch.probe().catch(() => false)) ? true : undefined;
      },
      {
        timeoutMs: options.timeoutMs,
        intervalMs: 100,
        signal: options.signal,
        what: launch.what,
        hint: `Its log is ${launch.logFile}.`,
      },
    );
  } catch (error) {
    await stopRecorded(record, 10_000).catch(() => {});
    await removeRecord(env, name).catch(() => {});
    throw error;
  }
  return { record, readyMs: Date.now() - started };
}
