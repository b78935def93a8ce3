import { randomUUID } from "node:crypto";
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
import { writeTorchServeStorage } from "../../targets/kserve/storage.js";
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
  const archive = rawOptions.archive as string | undefined;
  const storage = archive
    ? await writeTorchServeStorage(resolve(ctx.cwd, archive), join(dir, options.name), options.name)
    : undefined;
  const path = join(dir, `${options.name}.yaml`);
  const temp = reserveTempSibling(path);
  await writeFile(temp, yaml);
  await rename(temp, path);
  releaseTempPath(temp);
  ui.result({ path, manifest, ...(storage ? { storage } : {}) }, () =>
    ctx.quiet
      ? path
      : `${storage ? `${storage.folder}  (upload this folder to ${options.storageUri})\n` : ""}${path}\n${yaml}`,
  );
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

/**
 * `predict NAME --target kserve --url URL [--host HOST] [--protocol v1|v2]`: v1
 * `:predict` with instances, or v2 `/infer` with names, shapes and datatypes from
 * the model's metadata (the same client and checks as Triton). --host is sent as
 * the Host header, which an ingress uses to pick the InferenceService.
 */
export async function kservePredict(name: string, rawOptions: Record<string, unknown>, ctx: Context) {
  const ui = createUi(ctx);
  const url = rawOptions.url as string | undefined;
  if (!url)
    throw usageError(
      "predict --target kserve needs --url",
      "e.g. --url http://istio-ingressgateway.example.com --host intent.default.example.com",
    );
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw usageError(`--url must be an http(s) URL, got "${url}"`);
  }
  const headers = rawOptions.host ? { host: String(rawOptions.host) } : undefined;
  const timeout = timeoutMs(rawOptions.timeout as string | undefined, "60s");
  const options = { timeoutMs: timeout, signal: ctx.signal, headers };
  if ((rawOptions.protocol ?? "v1") === "v2") {
    const { TritonClient } = await import("../../targets/triton/client.js");
    const { buildInferInputs } = await import("../../targets/triton/infer-input.js");
    const client = new TritonClient(origin, options);
    try {
      const metadata = await client.metadata(name);
      const inputs = await buildInferInputs(
        {
          input: rawOptions.input as string[] | undefined,
          data: rawOptions.data as string | undefined,
          json: rawOptions.json as string | undefined,
        },
        metadata,
        ctx.cwd,
      );
      const { response, elapsedMs } = await client.infer(name, undefined, inputs, randomUUID(), timeout);
      const outputs = Object.fromEntries(response.outputs.map((o) => [o.name, o.data]));
      ui.info(`${name} (v2) answered in ${Math.round(elapsedMs)}ms`);
      ui.result(
        { model: response.model_name, protocol: "v2", outputs: response.outputs, response: outputs },
        () => JSON.stringify(outputs, null, 2),
      );
    } finally {
      await client.close();
    }
    return;
  }
  const { TfServingClient } = await import("../../targets/tfserving/client.js");
  const text = (rawOptions.json as string | undefined) ?? (rawOptions.data as string | undefined);
  if (text === undefined)
    throw usageError("no input given", "Give --data TEXT (one instance) or --json '{\"instances\": [...]}'.");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = rawOptions.json === undefined ? { instances: [text] } : undefined;
    if (body === undefined) throw usageError("--json is not JSON");
  }
  if (Array.isArray(body)) body = { instances: body };
  if (typeof body === "string") body = { instances: [body] };
  const client = new TfServingClient(origin, options);
  try {
    const { result, elapsedMs } = await client.predict(name, {}, body, timeout);
    ui.info(`${name} (v1) answered in ${Math.round(elapsedMs)}ms`);
    ui.result(result, () => JSON.stringify(result, null, 2));
  } finally {
    await client.close();
  }
}

/** `models NAME --target kserve --url URL`: v2 readiness and metadata of one model behind KServe. */
export async function kserveModels(
  name: string | undefined,
  rawOptions: Record<string, unknown>,
  ctx: Context,
) {
  const ui = createUi(ctx);
  const url = rawOptions.url as string | undefined;
  if (!url || !name)
    throw usageError(
      "models --target kserve needs a model name and --url",
      "e.g. mserve models intent --target kserve --url http://ingress --host intent.default.example.com",
    );
  const { TritonClient } = await import("../../targets/triton/client.js");
  const headers = rawOptions.host ? { host: String(rawOptions.host) } : undefined;
  const client = new TritonClient(new URL(url).origin, {
    timeoutMs: timeoutMs(rawOptions.timeout as string | undefined, "30s"),
    signal: ctx.signal,
    headers,
  });
  try {
    const ready = await client.ready(name);
    const metadata = ready ? await client.metadata(name) : undefined;
    ui.result({ name, ready, ...(metadata ? { metadata } : {}) }, () =>
      [
        `${name}  ${ready ? "READY" : "not ready"}`,
        ...(metadata
          ? [
              ...metadata.inputs.map((t) => `  input   ${t.name} ${t.datatype} [${t.shape}]`),
              ...metadata.outputs.map((t) => `  output  ${t.name} ${t.datatype} [${t.shape}]`),
            ]
          : []),
      ].join("\n"),
    );
  } finally {
    await client.close();
  }
}
