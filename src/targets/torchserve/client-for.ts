import { createHttpClient } from "../../http/client.js";
import type { ServerRecord } from "../../runtime/types.js";
import { TorchServeClient } from "./client.js";
import { keyFileTokens, noTokens } from "./keys.js";

/** A client for a recorded server (or a --url one described the same way), with its key file when auth is on. */
export function clientFor(
  record: Pick<ServerRecord, "urls" | "tokenAuth" | "keyFile">,
  options: { timeoutMs: number; signal?: AbortSignal; onDebug?: (line: string) => void },
) {
  const http = createHttpClient({ timeoutMs: options.timeoutMs, onDebug: options.onDebug });
  const tokens = record.tokenAuth && record.keyFile ? keyFileTokens(record.keyFile) : noTokens;
  const client = new TorchServeClient(
    {
      inference: record.urls.inference ?? "",
      management: record.urls.management ?? "",
      metrics: record.urls.metrics,
    },
    http,
    tokens,
    { timeoutMs: options.timeoutMs, signal: options.signal },
  );
  return { client, http, tokens };
}
