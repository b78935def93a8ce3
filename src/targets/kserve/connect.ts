import { usageError } from "../../errors.js";
import { V1Client } from "../../protocols/v1/client.js";
import { V2Client } from "../../protocols/v2/client.js";
import type { ConnectContext, Flags, TargetConnection } from "../target.js";
import type { KubectlOptions } from "./kubectl.js";

/**
 * KServe is reached two ways: kubectl for InferenceServices (deploy), and the
 * ingress URL for predictions (v1 or v2), with a Host header naming the service.
 * Clients are made only for what a command uses.
 */
export interface KserveConnection extends TargetConnection {
  kube: KubectlOptions;
  protocol?: "v1" | "v2";
  /** The endpoint's v1 client (--url), made on first use. */
  v1(): V1Client;
  /** The endpoint's v2 client (--url), made on first use. */
  v2(): V2Client;
}

const text = (flags: Flags, key: string) =>
  typeof flags[key] === "string" ? (flags[key] as string) : undefined;

export async function connectKserve(flags: Flags, ctx: ConnectContext): Promise<KserveConnection> {
  const url = text(flags, "url");
  const host = text(flags, "host");
  const kube: KubectlOptions = {
    namespace: text(flags, "namespace"),
    context: text(flags, "kubeContext"),
    env: ctx.env,
    signal: ctx.signal,
  };
  const origin = () => {
    if (!url)
      throw usageError(
        "KServe predictions need --url (the ingress, or the predictor's address)",
        "e.g. --url http://istio-ingressgateway.example.com --host intent.default.example.com",
      );
    try {
      return new URL(url).origin;
    } catch {
      throw usageError(`--url must be an http(s) URL, got "${url}"`);
    }
  };
  const options = (server: string) => ({
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onDebug: ctx.onDebug,
    headers: host ? { host } : undefined,
    server,
    notFoundHint: "Check the model name and the InferenceService (`kubectl get inferenceservices`).",
  });
  let v1: V1Client | undefined;
  let v2: V2Client | undefined;
  return {
    target: "kserve",
    label: url
      ? `${new URL(origin()).origin}${host ? ` (Host ${host})` : ""}`
      : `kubectl${kube.context ? ` --context ${kube.context}` : ""}`,
    kube,
    protocol: flags.protocol as "v1" | "v2" | undefined,
    v1: () => {
      v1 ??= new V1Client(origin(), options("KServe v1"));
      return v1;
    },
    v2: () => {
      v2 ??= new V2Client(origin(), options("KServe v2"));
      return v2;
    },
    close: async () => {
      await Promise.all([v1?.close(), v2?.close()]);
    },
  };
}
