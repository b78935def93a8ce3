import { execa } from "execa";
import { MserveError } from "../../errors.js";

export interface KubectlOptions {
  namespace?: string;
  context?: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

const scope = (o: KubectlOptions) => [
  ...(o.context ? ["--context", o.context] : []),
  ...(o.namespace ? ["-n", o.namespace] : []),
];

/** Runs kubectl; a missing binary is exit 4, a refusal exit 7 with kubectl's own stderr, a wait that ran out exit 8. */
async function kubectl(args: string[], o: KubectlOptions, input?: string): Promise<string> {
  const result = await execa("kubectl", [...scope(o), ...args], {
    input,
    env: o.env,
    reject: false,
    cancelSignal: o.signal,
  });
  if (
    (result as { code?: string }).code === "ENOENT" ||
    (/ENOENT/.test(String(result.message ?? "")) && result.exitCode === undefined)
  ) {
    throw new MserveError("NOT_FOUND", "kubectl not found", {
      hint: "Install kubectl and point it at the cluster (KUBECONFIG), or use --dry-run to print the manifest.",
    });
  }
  if (result.isCanceled) throw new MserveError("INTERRUPTED", `kubectl ${args[0]} was interrupted`);
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr ?? "").trim();
    const timedOut = /timed out waiting/i.test(stderr);
    throw new MserveError(
      timedOut ? "TIMEOUT" : "SERVER_ERROR",
      `kubectl ${args[0]} failed (exit ${result.exitCode}): ${stderr.split("\n")[0] || "no output"}`,
      {
        hint: timedOut
          ? "The InferenceService did not become Ready in time: `kubectl describe inferenceservice` shows why."
          : "kubectl's full error is in the details.",
        details: { exitCode: result.exitCode, stderr },
      },
    );
  }
  return String(result.stdout ?? "");
}

export const kubectlApply = (yaml: string, o: KubectlOptions) => kubectl(["apply", "-f", "-"], o, yaml);

export const kubectlWaitReady = (name: string, timeoutSeconds: number, o: KubectlOptions) =>
  kubectl(["wait", "--for=condition=Ready", `inferenceservice/${name}`, `--timeout=${timeoutSeconds}s`], o);

/** `kubectl config current-context`, for doctor: which cluster deploys would reach. */
export const kubectlCurrentContext = (o: KubectlOptions) => kubectl(["config", "current-context"], o);
