import { usageError } from "../../errors.js";
import { listRecords, readRecord, recordState } from "../../runtime/records.js";
import { pickRunningServer } from "../../runtime/servers.js";
import type { ServerRecord } from "../../runtime/types.js";
import { TritonClient } from "./client.js";

export interface TritonConnection {
  client: TritonClient;
  label: string;
  record?: ServerRecord;
  /** The model repository on this machine, when known: deploy writes into it. */
  repository?: string;
  close(): Promise<void>;
}

/** --url (any Triton's HTTP endpoint), else --server / the one Triton mserve started. */
export async function connectTriton(
  selection: { server?: string; url?: string; repository?: string },
  options: {
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    signal?: AbortSignal;
    onDebug?: (line: string) => void;
  },
): Promise<TritonConnection> {
  const url = selection.server ? undefined : (selection.url ?? options.env.MSERVE_TRITON_URL);
  if (url) {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw usageError(
        `--url must be an http(s) URL, got "${url}"`,
        "For example --url http://127.0.0.1:8000",
      );
    }
    const client = new TritonClient(origin, options);
    return { client, label: origin, repository: selection.repository, close: () => client.close() };
  }
  const record = await pickRunningServer(
    options.env,
    "triton",
    selection.server ?? options.env.MSERVE_SERVER,
    {
      label: "Triton",
      exampleUrl: "http://HOST:8000",
    },
  );
  const client = new TritonClient(record.urls.http as string, options);
  return {
    client,
    label: `${record.name} (triton ${record.runtime})`,
    record,
    repository: selection.repository ?? record.modelStore,
    close: () => client.close(),
  };
}

/**
 * Which server kind a command talks to: --target, else the kind of --server,
 * else the kind running when only one kind runs, else TorchServe.
 */
export async function chooseTarget(
  flags: { target?: string; server?: string; url?: string },
  env: NodeJS.ProcessEnv,
): Promise<ServerRecord["target"]> {
  if (flags.target === "triton" || flags.target === "torchserve" || flags.target === "tfserving")
    return flags.target;
  const server = flags.server ?? (flags.url ? undefined : env.MSERVE_SERVER);
  if (server) return (await readRecord(env, server)).target;
  if (flags.url) return "torchserve";
  const kinds = new Set<ServerRecord["target"]>();
  for (const r of (await listRecords(env)).records)
    if ((await recordState(r)) === "running") kinds.add(r.target);
  const [only] = kinds;
  return kinds.size === 1 && only ? only : "torchserve";
}
