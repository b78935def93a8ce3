import { usageError } from "../../errors.js";
import { V2Client } from "../../protocols/v2/client.js";
import { pickRunningServer } from "../../runtime/servers.js";
import type { ServerRecord } from "../../runtime/types.js";
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

const text = (flags: Flags, key: string) =>
  typeof flags[key] === "string" ? (flags[key] as string) : undefined;

/** The install a recorded server runs: its executable's environment, or Seldon's image. */
export function installOf(record: ServerRecord): MlserverInstall | "image" | undefined {
  if (record.runtime === "docker") return "image";
  const bin = record.command[0];
  return bin ? (locateMlserver({ MSERVE_MLSERVER_BIN: bin }, "/") ?? undefined) : undefined;
}

/** --url (any MLServer's HTTP endpoint), else --server / the one MLServer mserve started. */
export async function connectMlserver(flags: Flags, ctx: ConnectContext): Promise<MlserverConnection> {
  const server = text(flags, "server");
  const repository = text(flags, "repository") ?? text(flags, "modelStore");
  const clientOptions = {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.onDebug,
    server: "MLServer",
    notFoundHint: "`mserve models --target mlserver` lists the repository.",
  };
  const url = server ? undefined : (text(flags, "url") ?? ctx.env.MSERVE_MLSERVER_URL);
  if (url) {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw usageError(
        `--url must be an http(s) URL, got "${url}"`,
        "For example --url http://127.0.0.1:8080",
      );
    }
    const client = new V2Client(origin, clientOptions);
    return { target: "mlserver", client, label: origin, repository, close: () => client.close() };
  }
  const record = await pickRunningServer(ctx.env, "mlserver", server ?? ctx.env.MSERVE_SERVER, {
    label: "MLServer",
    exampleUrl: "http://HOST:8080",
  });
  const client = new V2Client(record.urls.http as string, clientOptions);
  return {
    target: "mlserver",
    client,
    label: `${record.name} (mlserver ${record.runtime})`,
    record,
    repository: repository ?? record.modelStore,
    install: installOf(record),
    close: () => client.close(),
  };
}
