import { usageError } from "../../errors.js";
import { pickRunningServer } from "../../runtime/servers.js";
import type { ServerRecord } from "../../runtime/types.js";
import { stringFlag } from "../endpoint.js";
import type { ConnectContext, Flags, TargetConnection } from "../target.js";
import { clientFor } from "./client-for.js";
import type { TokenSource } from "./keys.js";

export interface ServerSelection {
  /** A server started by `mserve serve` (its record name). */
  server?: string;
  /** Management API URL of any TorchServe. */
  url?: string;
  /** Inference API URL; derived from --url (port - 1, TorchServe's 8080/8081 layout) when absent. */
  inferenceUrl?: string;
  /** key_file.json of a --url server with token authorization on. */
  keyFile?: string;
  /** Model store folder of a --url server, when it is on this machine. */
  modelStore?: string;
}

export interface Connection extends TargetConnection {
  client: ReturnType<typeof clientFor>["client"];
  /** Keys for load generators that bypass the client (bench); headers only, never printed. */
  tokens: TokenSource;
  close(): Promise<void>;
  /** "torchserve (local)" or the URL, for messages. */
  label: string;
  record?: ServerRecord;
  modelStore?: string;
}

function checkUrl(text: string, flag: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return url;
  } catch {}
  throw usageError(
    `${flag} must be an http(s) URL, got "${text}"`,
    "For example --url http://127.0.0.1:8081",
  );
}

function deriveInference(management: URL): string {
  const port = Number(management.port || (management.protocol === "https:" ? 443 : 80));
  const inference = new URL(management.href);
  inference.port = String(port - 1);
  return inference.origin;
}

/** The flags of a command, as far as they pick a TorchServe. */
export function selectionOf(flags: Flags): ServerSelection {
  const text = (key: string) => stringFlag(flags, key);
  return {
    server: text("server"),
    url: text("url"),
    inferenceUrl: text("inferenceUrl"),
    keyFile: text("keyFile"),
    modelStore: text("modelStore"),
  };
}

/**
 * The server a command talks to: --server, else --url, else MSERVE_SERVER /
 * MSERVE_URL, else the one running TorchServe mserve started.
 */
export async function connect(
  selection: ServerSelection,
  options: Pick<ConnectContext, "env" | "timeoutMs" | "signal" | "onDebug">,
): Promise<Connection> {
  const { env } = options;
  const server = selection.server ?? (selection.url ? undefined : env.MSERVE_SERVER);
  const urlText = server ? undefined : (selection.url ?? env.MSERVE_URL);
  if (urlText) {
    const management = checkUrl(urlText, "--url");
    const inference = selection.inferenceUrl
      ? checkUrl(selection.inferenceUrl, "--inference-url").origin
      : deriveInference(management);
    const keyFile = selection.keyFile ?? env.MSERVE_KEY_FILE;
    const { client, http, tokens } = clientFor(
      { urls: { management: management.origin, inference }, tokenAuth: Boolean(keyFile), keyFile },
      options,
    );
    return {
      target: "torchserve",
      client,
      tokens,
      close: () => http.close(),
      label: management.origin,
      modelStore: selection.modelStore,
    };
  }
  const record = await pickRunningServer(env, "torchserve", server, {
    label: "TorchServe",
    exampleUrl: "http://HOST:8081",
  });
  const { client, http, tokens } = clientFor(record, options);
  return {
    target: "torchserve",
    client,
    tokens,
    close: () => http.close(),
    label: `${record.name} (${record.runtime})`,
    record,
    modelStore: selection.modelStore ?? record.modelStore,
  };
}
