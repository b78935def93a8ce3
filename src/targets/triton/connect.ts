import { V2Client } from "../../protocols/v2/client.js";
import type { ServerRecord } from "../../runtime/types.js";
import { locateEndpoint, stringFlag } from "../endpoint.js";
import type { ConnectContext, Flags, TargetConnection } from "../target.js";

export interface TritonConnection extends TargetConnection {
  client: V2Client;
  record?: ServerRecord;
  /** The model repository on this machine, when known: deploy writes into it. */
  repository?: string;
}

/** --url (any Triton's HTTP endpoint), else --server / the one Triton mserve started. */
export async function connectTriton(
  flags: Flags,
  ctx: Pick<ConnectContext, "env" | "timeoutMs" | "signal" | "onDebug">,
): Promise<TritonConnection> {
  const endpoint = await locateEndpoint(flags, ctx, {
    target: "triton",
    label: "Triton",
    port: 8000,
    urlKey: "http",
    urlEnv: "MSERVE_TRITON_URL",
  });
  const client = new V2Client(endpoint.origin, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.onDebug,
    server: "Triton",
    notFoundHint: "`mserve models --target triton` lists the repository.",
  });
  return {
    target: "triton",
    client,
    label: endpoint.label,
    record: endpoint.record,
    repository:
      stringFlag(flags, "repository") ?? stringFlag(flags, "modelStore") ?? endpoint.record?.modelStore,
    close: () => client.close(),
  };
}
