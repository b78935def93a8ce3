import { usageError } from "../../errors.js";
import { pickRunningServer } from "../../runtime/servers.js";
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
  const record = await pickRunningServer(
    options.env,
    "tfserving",
    selection.server ?? options.env.MSERVE_SERVER,
    {
      label: "TF Serving",
      exampleUrl: "http://HOST:8501",
    },
  );
  const client = new TfServingClient(record.urls.rest as string, options);
  return {
    client,
    label: `${record.name} (tfserving ${record.runtime})`,
    record,
    base: selection.base ?? record.modelStore,
    close: () => client.close(),
  };
}
