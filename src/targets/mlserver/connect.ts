import { V2Client } from "../../protocols/v2/client.js";
import type { ServerRecord } from "../../runtime/types.js";
import { locateEndpoint, stringFlag } from "../endpoint.js";
import type { ConnectContext, Flags, TargetConnection } from "../target.js";
import { locateMlserver, type MlserverInstall } from "./locate.js";

export interface MlserverConnection extends TargetConnection {
  client: V2Client;
  record?: ServerRecord;
  /** The model repository on this machine, when known: deploy writes into it. */
  repository?: string;
  /**
   * What the server runs on: its local install (runtimes are checked against
   * its site-packages), "image" for Seldon's image (every runtime), or
   * undefined for a server mserve did not start.
   */
  install?: MlserverInstall | "image";
}

/** The install a recorded server runs: its executable's environment, or Seldon's image. */
export function installOf(record: ServerRecord): MlserverInstall | "image" | undefined {
  if (record.runtime === "docker") return "image";
  const bin = record.command[0];
  return bin ? (locateMlserver({ MSERVE_MLSERVER_BIN: bin }, "/") ?? undefined) : undefined;
}

/** --url (any MLServer's HTTP endpoint), else --server / the one MLServer mserve started. */
export async function connectMlserver(flags: Flags, ctx: ConnectContext): Promise<MlserverConnection> {
  const endpoint = await locateEndpoint(flags, ctx, {
    target: "mlserver",
    label: "MLServer",
    port: 8080,
    urlKey: "http",
    urlEnv: "MSERVE_MLSERVER_URL",
  });
  const client = new V2Client(endpoint.origin, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.onDebug,
    server: "MLServer",
    notFoundHint: "`mserve models --target mlserver` lists the repository.",
  });
  return {
    target: "mlserver",
    client,
    label: endpoint.label,
    record: endpoint.record,
    repository:
      stringFlag(flags, "repository") ?? stringFlag(flags, "modelStore") ?? endpoint.record?.modelStore,
    install: endpoint.record && installOf(endpoint.record),
    close: () => client.close(),
  };
}
