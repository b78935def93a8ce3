import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import { timeoutMs } from "../../config/server-flags.js";
import type { Context } from "../../context.js";
import { usageError } from "../../errors.js";
import { kubectlApply, kubectlWaitReady } from "../../targets/kserve/kubectl.js";
import {
  buildInferenceService,
  checkInferenceService,
  type ManifestOptions,
  manifestYaml,
} from "../../targets/kserve/manifest.js";
import { createUi } from "../../ui/output.js";
import { startSpinner } from "../../ui/progress.js";

const int = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((t) => {
      if (t === undefined) return undefined;
      const n = Number(t);
      if (!Number.isInteger(n) || n < min || n > max)
        throw usageError(`${flag} must be a whole number from ${min} to ${max}, got "${t}"`);
      return n;
    });

const flagsSchema = z.object({
  modelName: z.string().optional(),
  namespace: z.string().optional(),
  source: z.enum(["torchserve", "triton", "tfserving"]).default("torchserve"),
  storageUri: z.string().optional(),
  protocol: z.enum(["v1", "v2"]).optional(),
  minReplicas: int("--min-replicas", 0),
  maxReplicas: int("--max-replicas", 1),
  scaleTarget: int("--scale-target", 1),
  scaleMetric: z.enum(["concurrency", "rps", "cpu", "memory"]).optional(),
  canaryTrafficPercent: int("--canary-traffic-percent", 0, 100),
  cpu: z.string().optional(),
  memory: z.string().optional(),
});

function manifestOptions(rawOptions: Record<string, unknown>): ManifestOptions {
  const f = flagsSchema.parse(rawOptions);
  if (!f.modelName || !f.storageUri) {
    throw usageError(
      "KServe needs --model-name and --storage-uri",
      "e.g. --model-name intent --storage-uri s3://bucket/models/intent (the folder mserve packaged for the server).",
    );
  }
  if (f.minReplicas !== undefined && f.maxReplicas !== undefined && f.maxReplicas < f.minReplicas) {
    throw usageError(`--max-replicas ${f.maxReplicas} is below --min-replicas ${f.minReplicas}`);
  }
  return {
    name: f.modelName,
    namespace: f.namespace,
    source: f.source,
    storageUri: f.storageUri,
    protocol: f.protocol ?? (f.source === "triton" ? "v2" : "v1"),
    minReplicas: f.minReplicas,
    maxReplicas: f.maxReplicas,
    scaleTarget: f.scaleTarget,
    scaleMetric: f.scaleMetric,
    canaryTrafficPercent: f.canaryTrafficPercent,
    cpu: f.cpu,
    memory: f.memory,
  };
}

/** `package --target kserve`: writes <name>.yaml (checked against KServe's CRD schema); --dry-run prints it. */
export async function packageKserve(rawOptions: Record<string, unknown>, ctx: Context) {
  const ui = createUi(ctx);
  const options = manifestOptions(rawOptions);
  const manifest = buildInferenceService(options);
  await checkInferenceService(manifest);
  const yaml = manifestYaml(manifest);
  if (rawOptions.dryRun) {
    ui.result(manifest, () => yaml);
    return;
  }
  const dir = resolve(ctx.cwd, (rawOptions.exportPath as string | undefined) ?? ".");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${options.name}.yaml`);
  const temp = reserveTempSibling(path);
  await writeFile(temp, yaml);
  await rename(temp, path);
  releaseTempPath(temp);
  ui.result({ path, manifest }, () => (ctx.quiet ? path : `${path}\n${yaml}`));
}

/** `deploy --target kserve`: kubectl apply -f -, then kubectl wait until the InferenceService is Ready. */
export async function deployKserve(rawOptions: Record<string, unknown>, ctx: Context) {
  const ui = createUi(ctx);
  const options = manifestOptions(rawOptions);
  const manifest = buildInferenceService(options);
  await checkInferenceService(manifest);
  const yaml = manifestYaml(manifest);
  if (rawOptions.dryRun) {
    ui.result(manifest, () => yaml);
    return;
  }
  const kube = {
    namespace: options.namespace,
    context: rawOptions.kubeContext as string | undefined,
    env: ctx.env,
    signal: ctx.signal,
  };
  const spinner = await startSpinner(ctx, `Applying InferenceService ${options.name}`);
  try {
    const applied = (await kubectlApply(yaml, kube)).trim();
    let ready = false;
    if (rawOptions.wait !== false) {
      spinner.update("waiting for Ready");
      await kubectlWaitReady(
        options.name,
        Math.ceil(timeoutMs(rawOptions.timeout as string | undefined, "300s") / 1000),
        kube,
      );
      ready = true;
    }
    spinner.done(`InferenceService ${options.name} ${ready ? "is Ready" : "applied"}`);
    ui.result(
      { name: options.name, applied, ready, manifest },
      () => `${applied}${ready ? `\ninferenceservice/${options.name} is Ready` : ""}`,
    );
  } catch (error) {
    spinner.fail();
    throw error;
  }
}
