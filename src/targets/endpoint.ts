import { usageError } from "../errors.js";
import { pickRunningServer } from "../runtime/servers.js";
import type { ServerRecord } from "../runtime/types.js";
import type { ConnectContext, Flags } from "./target.js";

/** A string flag's value, when given. */
export const stringFlag = (flags: Flags, key: string): string | undefined =>
  typeof flags[key] === "string" ? (flags[key] as string) : undefined;

export interface EndpointKind {
  target: ServerRecord["target"];
  /** How messages name the server: "Triton". */
  label: string;
  /** The server's usual HTTP port, for the examples in messages. */
  port: number;
  /** Which of a record's URLs the client talks to. */
  urlKey: "http" | "rest";
  /** An environment variable that stands for --url. */
  urlEnv?: string;
}

export interface Endpoint {
  origin: string;
  /** "demo (triton local)" or the URL, for messages. */
  label: string;
  /** The server mserve started, when the endpoint is one. */
  record?: ServerRecord;
}

/** --url (any server of this kind, by its origin), else --server / the one of this kind mserve started. */
export async function locateEndpoint(
  flags: Flags,
  ctx: Pick<ConnectContext, "env">,
  kind: EndpointKind,
): Promise<Endpoint> {
  const server = stringFlag(flags, "server");
  const url = server ? undefined : (stringFlag(flags, "url") ?? (kind.urlEnv && ctx.env[kind.urlEnv]));
  if (url) {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw usageError(
        `--url must be an http(s) URL, got "${url}"`,
        `For example --url http://127.0.0.1:${kind.port}`,
      );
    }
    return { origin, label: origin };
  }
  const record = await pickRunningServer(ctx.env, kind.target, server ?? ctx.env.MSERVE_SERVER, {
    label: kind.label,
    exampleUrl: `http://HOST:${kind.port}`,
  });
  return {
    origin: record.urls[kind.urlKey] as string,
    label: `${record.name} (${kind.target} ${record.runtime})`,
    record,
  };
}
