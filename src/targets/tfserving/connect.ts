import { V1Client } from "../../protocols/v1/client.js";
import type { ServerRecord } from "../../runtime/types.js";
import { locateEndpoint, stringFlag } from "../endpoint.js";
import type { ConnectContext, Flags, TargetConnection } from "../target.js";

export interface TfServingConnection extends TargetConnection {
  client: V1Client;
  record?: ServerRecord;
  /** The base folder holding models.config, when known: deploy writes into it. */
  base?: string;
}

/** --url (any TF Serving REST endpoint), else --server / the one TF Serving mserve started. */
export async function connectTfServing(
  flags: Flags,
  ctx: Pick<ConnectContext, "env" | "timeoutMs" | "signal" | "onDebug">,
): Promise<TfServingConnection> {
  const endpoint = await locateEndpoint(flags, ctx, {
    target: "tfserving",
    label: "TF Serving",
    port: 8501,
    urlKey: "rest",
  });
  const client = new V1Client(endpoint.origin, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.onDebug,
    server: "TF Serving",
    notFoundHint: "`mserve models --target tfserving` shows what the server has loaded.",
  });
  return {
    target: "tfserving",
    client,
    label: endpoint.label,
    record: endpoint.record,
    base: stringFlag(flags, "base") ?? stringFlag(flags, "modelStore") ?? endpoint.record?.modelStore,
    close: () => client.close(),
  };
}
