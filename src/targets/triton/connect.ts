import { usageError } from "../../errors.js";
import { V2Client } from "../../protocols/v2/client.js";
import { pickRunningServer } from "../../runtime/servers.js";
import type { ServerRecord } from "../../runtime/types.js";
import type { ConnectContext, Flags, TargetConnection } from "../target.js";

export interface TritonConnection extends TargetConnection {
  client: V2Client;
  record?: ServerRecord;
  /** The model repository on this machine, when known: deploy writes into it. */
  repository?: string;
}

const text = (flags: Flags, key: string) =>
  typeof flags[key] === "string" ? (flags[key] as string) : undefined;

/** --url (any Triton's HTTP endpoint), else --server / the one Triton mserve started. */
export async function connectTriton(
  flags: Flags,
  ctx: Pick<ConnectContext, "env" | "timeoutMs" | "signal" | "onDebug">,
): Promise<TritonConnection> {
  const server = text(flags, "server");
  const repository = text(flags, "repository") ?? text(flags, "modelStore");
  const clientOptions = {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.onDebug,
    server: "Triton",
    notFoundHint: "`mserve models --target triton` lists the repository.",
  };
  const url = server ? undefined : (text(flags, "url") ?? ctx.env.MSERVE_TRITON_URL);
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
    const client = new V2Client(origin, clientOptions);
    return { target: "triton", client, label: origin, repository, close: () => client.close() };
  }
  const record = await pickRunningServer(ctx.env, "triton", server ?? ctx.env.MSERVE_SERVER, {
    label: "Triton",
    exampleUrl: "http://HOST:8000",
  });
  const client = new V2Client(record.urls.http as string, clientOptions);
  return {
    target: "triton",
    client,
    label: `${record.name} (triton ${record.runtime})`,
    record,
    repository: repository ?? record.modelStore,
    close: () => client.close(),
  };
}
