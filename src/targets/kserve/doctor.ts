import { type CheckResult, type DoctorEnv, explain, firstLine, pass } from "../../doctor/types.js";
import { locateExecutable } from "../../runtime/locate.js";

/** What `mserve deploy --target kserve` needs: kubectl, and a current context pointing at a cluster. */
export async function kserveDoctor(d: DoctorEnv): Promise<CheckResult[]> {
  const kubectl = locateExecutable("kubectl", { PATH: d.env.PATH }, "/");
  if (!kubectl)
    return [
      {
        id: "kubectl",
        title: "kubectl",
        status: "fail",
        detail: "not on PATH",
        fix: "Install kubectl (https://kubernetes.io/docs/tasks/tools/) and point it at the cluster with KServe (KUBECONFIG); `--dry-run` prints manifests without it.",
      },
    ];
  const context = await d.exec(kubectl.path, ["config", "current-context"]);
  const name = firstLine(context.stdout);
  if (context.exitCode === 0 && name)
    return [pass("kubectl", "kubectl", `context ${name} (${kubectl.path})`)];
  return [
    {
      id: "kubectl",
      title: "kubectl",
      status: "fail",
      detail: `${kubectl.path}: no current context (${explain(context)})`,
      fix: "Select the cluster: `kubectl config use-context NAME` (or set KUBECONFIG), or pass --kube-context to deploy.",
    },
  ];
}
