import { MserveError, usageError } from "../../errors.js";
import { listRecords, readRecord, recordState } from "../../runtime/records.js";
import type { ServerRecord } from "../../runtime/types.js";
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

export interface Connection {
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

async function pickRecord(env: NodeJS.ProcessEnv, name: string | undefined): Promise<ServerRecord> {
  if (name) {
    const record = await readRecord(env, name);
    if (record.target !== "torchserve") {
      throw usageError(
        `${name} is a ${record.target} server`,
        `Pass --target ${record.target} (or leave --target out) to talk to it.`,
      );
    }
    if ((await recordState(record)) !== "running") {
      throw new MserveError("UNREACHABLE", `server ${name} is not running (its process is gone)`, {
        hint: `Start it again with \`mserve serve --name ${name}\`; \`mserve ps\` shows all servers.`,
      });
    }
    return record;
  }
  const { records } = await listRecords(env);
  const running: ServerRecord[] = [];
  for (const record of records) {
    if (record.target === "torchserve" && (await recordState(record)) === "running") running.push(record);
  }
  if (running.length === 1) return running[0] as ServerRecord;
  if (running.length === 0) {
    throw new MserveError("UNREACHABLE", "no TorchServe started by mserve is running", {
      hint: "Start one with `mserve serve --target torchserve`, or point at another server with --url http://HOST:8081.",
    });
  }
  const named = running.find((r) => r.name === "torchserve");
  if (named) return named;
  throw usageError(
    `${running.length} servers are running (${running.map((r) => r.name).join(", ")})`,
    "Choose one with --server NAME.",
  );
}

/**
 * The server a command talks to: --server, else --url, else MSERVE_SERVER /
 * MSERVE_URL, else the one running server mserve started.
 */
export async function connect(
  selection: ServerSelection,
  options: {
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    signal?: AbortSignal;
    onDebug?: (line: string) => void;
  },
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
      client,
      tokens,
      close: () => http.close(),
      label: management.origin,
      modelStore: selection.modelStore,
    };
  }
  const record = await pickRecord(env, server);
  const { client, http, tokens } = clientFor(record, options);
  return {
    client,
    tokens,
    close: () => http.close(),
    label: `${record.name} (${record.runtime})`,
    record,
    modelStore: selection.modelStore ?? record.modelStore,
  };
}
