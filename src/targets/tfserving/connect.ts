import { usageError } from "../../errors.js";
import { V1Client } from "../../protocols/v1/client.js";
import { pickRunningServer } from "../../runtime/servers.js";
import type { ServerRecord } from "../../runtime/types.js";
import type { ConnectContext, Flags, TargetConnection } from "../target.js";

export interface TfServingConnection extends TargetConnection {
  client: V1Client;
  record?: ServerRecord;
  /** The base folder holding models.config, when known: deploy writes into it. */
  base?: string;
}

const text = (flags: Flags, key: string) =>
  typeof flags[key] === "string" ? (flags[key] as string) : undefined;

/** --url (any TF Serving REST endpoint), else --server / the one TF Serving mserve started. */
export async function connectTfServing(
  flags: Flags,
  ctx: Pick<ConnectContext, "env" | "timeoutMs" | "signal" | "onDebug">,
): Promise<TfServingConnection> {
  const server = text(flags, "server");
  const base = text(flags, "base") ?? text(flags, "modelStore");
  const clientOptions = {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.onDebug,
    server: "TF Serving",
    notFoundHint: "`mserve models --target tfserving` shows what the server has loaded.",
  };
  const url = server ? undefined : text(flags, "url");
  if (url) {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw usageError(
        `--url must be an http(s) URL, got "${url}"`,
        "For example --url http://127.0.0.1:8501",
      );
    }
    const client = new V1Client(origin, clientOptions);
    return { target: "tfserving", client, label: origin, base, close: () => client.close() };
  }
  const record = await pickRunningServer(ctx.env, "tfserving", server ?? ctx.env.MSERVE_SERVER, {
    label: "TF Serving",
    exampleUrl: "http://HOST:8501",
  });
  const client = new V1Client(record.urls.rest as string, clientOptions);
  return {
    target: "tfserving",
    client,
    label: `${record.name} (tfserving ${record.runtime})`,
    record,
    base: base ?? record.modelStore,
    close: () => client.close(),
  };
}
