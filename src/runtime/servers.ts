import { rm } from "node:fs/promises";
import { MserveError, usageError } from "../errors.js";
import { dockerStop } from "./docker.js";
import { listRecords, readRecord, recordState, removeRecord } from "./records.js";
import { stopProcessGroup } from "./supervisor.js";
import type { ServerRecord, ServerState } from "./types.js";

/** Graceful stop (SIGTERM / docker stop), forced after `graceMs`; the key file goes with the server. */
export async function stopRecorded(
  record: ServerRecord,
  graceMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ forced: boolean }> {
  let forced = false;
  if (record.runtime === "local" && record.pid) {
    forced = (await stopProcessGroup(record.pid, { graceMs })).forced;
  } else if (record.containerId) {
    await dockerStop(record.containerId, { timeoutSec: Math.ceil(graceMs / 1000), env });
  }
  // Keys of a stopped server are useless and should not linger on disk.
  if (record.keyFile) await rm(record.keyFile, { force: true });
  return { forced };
}

export interface StopOutcome {
  name: string;
  /** "stopped", "forced" (killed after the grace period) or "stale" (already gone; record removed). */
  result: "stopped" | "forced" | "stale";
}

export async function stopServer(
  env: NodeJS.ProcessEnv,
  name: string,
  graceMs: number,
): Promise<StopOutcome> {
  const record = await readRecord(env, name);
  if ((await recordState(record, env)) === "exited") {
    await removeRecord(env, name);
    if (record.keyFile) await rm(record.keyFile, { force: true });
    return { name, result: "stale" };
  }
  const { forced } = await stopRecorded(record, graceMs, env);
  await removeRecord(env, name);
  return { name, result: forced ? "forced" : "stopped" };
}

export interface ServerStatus {
  record: ServerRecord;
  state: ServerState;
}

/** Every recorded server with its live state; unreadable record files are reported, not fatal. */
export async function serverStatuses(
  env: NodeJS.ProcessEnv,
): Promise<{ servers: ServerStatus[]; problems: string[] }> {
  const { records, problems } = await listRecords(env);
  const servers = await Promise.all(
    records.map(async (record) => ({ record, state: await recordState(record, env) })),
  );
  return { servers: servers.sort((a, b) => a.record.name.localeCompare(b.record.name)), problems };
}

/**
 * The server of one kind a command talks to: --server NAME (which must be of
 * that kind and alive), else the only one of that kind running.
 */
export async function pickRunningServer(
  env: NodeJS.ProcessEnv,
  target: ServerRecord["target"],
  name: string | undefined,
  described: { label: string; exampleUrl: string },
): Promise<ServerRecord> {
  if (name) {
    const record = await readRecord(env, name);
    if (record.target !== target)
      throw usageError(`${name} is a ${record.target} server, not ${described.label}`);
    if ((await recordState(record)) !== "running") {
      throw new MserveError("UNREACHABLE", `server ${name} is not running (its process is gone)`, {
        hint: `Start it with \`mserve serve --target ${target} --name ${name}\`.`,
      });
    }
    return record;
  }
  const running: ServerRecord[] = [];
  for (const r of (await listRecords(env)).records)
    if (r.target === target && (await recordState(r)) === "running") running.push(r);
  if (running.length === 1) return running[0] as ServerRecord;
  if (running.length === 0) {
    throw new MserveError("UNREACHABLE", `no ${described.label} started by mserve is running`, {
      hint: `Start one with \`mserve serve --target ${target}\`, or point at another with --url ${described.exampleUrl}.`,
    });
  }
  throw usageError(
    `${running.length} ${described.label} servers are running (${running.map((r) => r.name).join(", ")})`,
    "Choose one with --server NAME.",
  );
}

/**
 * The server `stop` and `logs` mean without a name: the one running, whatever
 * its kind. Several running is exit 2 with their names; none, the one recorded.
 */
export async function defaultServerName(env: NodeJS.ProcessEnv): Promise<string> {
  const { servers } = await serverStatuses(env);
  const running = servers.filter((s) => s.state === "running");
  if (running.length === 1) return (running[0] as ServerStatus).record.name;
  if (running.length > 1)
    throw usageError(
      `${running.length} servers are running (${running.map((s) => `${s.record.name}: ${s.record.target}`).join(", ")})`,
      "Name the one you mean, e.g. `mserve stop NAME`; `mserve ps` lists them.",
    );
  if (servers.length === 1) return (servers[0] as ServerStatus).record.name;
  if (servers.length === 0)
    throw new MserveError("NOT_FOUND", "no server is recorded", { hint: "Start one with `mserve serve`." });
  throw usageError(
    `${servers.length} servers are recorded and none is running (${servers.map((s) => s.record.name).join(", ")})`,
    "Name the one you mean; `mserve ps` lists them.",
  );
}

/** The recorded servers of one kind that still run. */
export async function runningOf(env: NodeJS.ProcessEnv, target: string): Promise<ServerRecord[]> {
  const running: ServerRecord[] = [];
  for (const r of (await listRecords(env)).records)
    if (r.target === target && (await recordState(r)) === "running") running.push(r);
  return running;
}
