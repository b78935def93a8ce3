import { MserveError, usageError } from "../../errors.js";
import { listRecords, readRecord, recordState } from "../../runtime/records.js";
import type { ServerRecord } from "../../runtime/types.js";
import { TfServingClient } from "./client.js";

export interface TfServingConnection {
  client: TfServingClient;
  label: string;
  record?: ServerRecord;
  /** The base folder holding models.config, when known: deploy writes into it. */
  base?: string;
  close(): Promise<void>;
}

/** --url (any TF Serving REST endpoint), else --server / the one TF Serving mserve started. */
export async function connectTfServing(
  selection: { server?: string; url?: string; base?: string },
  options: {
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    signal?: AbortSignal;
    onDebug?: (line: string) => void;
  },
): Promise<TfServingConnection> {
  if (selection.url && !selection.server) {
    let origin: string;
    try {
      origin = new URL(selection.url).origin;
    } catch {
      throw usageError(
        `--url must be an http(s) URL, got "${selection.url}"`,
        "For example --url http://127.0.0.1:8501",
      );
    }
    const client = new TfServingClient(origin, options);
    return { client, label: origin, base: selection.base, close: () => client.close() };
  }
  let record: ServerRecord | undefined;
  const name = selection.server ?? options.env.MSERVE_SERVER;
  if (name) {
    record = await readRecord(options.env, name);
    if (record.target !== "tfserving")
      throw usageError(`${name} is a ${record.target} server, not TF Serving`);
    if ((await recordState(record)) !== "running")
      throw new MserveError("UNREACHABLE", `server ${name} is not running (its process is gone)`);
  } else {
    const running: ServerRecord[] = [];
    for (const r of (await listRecords(options.env)).records)
      if (r.target === "tfserving" && (await recordState(r)) === "running") running.push(r);
    if (running.length === 0)
      throw new MserveError("UNREACHABLE", "no TF Serving started by mserve is running", {
        hint: "Start one with `mserve serve --target tfserving`, or pass --url http://HOST:8501.",
      });
    if (running.length > 1)
      throw usageError(`${running.length} TF Serving servers are running`, "Choose one with --server NAME.");
    record = running[0] as ServerRecord;
  }
  const client = new TfServingClient(record.urls.rest as string, options);
  return {
    client,
    label: `${record.name} (tfserving ${record.runtime})`,
    record,
    base: selection.base ?? record.modelStore,
    close: () => client.close(),
  };
}
