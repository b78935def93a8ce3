import { createHash, randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import type { Context } from "../../context.js";
import { invalidInput, MserveError } from "../../errors.js";
import { appendPrediction } from "../../predict/log.js";
import type { PredictTarget } from "../../predict/target.js";
import { findProject } from "../../targets/torchserve/options.js";
import { deployTriton } from "../../targets/triton/deploy.js";
import { buildInferInputs } from "../../targets/triton/infer-input.js";
import { planTritonPackage, writeTritonPackage } from "../../targets/triton/package.js";
import { confirm } from "../../ui/confirm.js";
import { formatDuration, formatTable } from "../../ui/format.js";
import { createUi } from "../../ui/output.js";
import { startSpinner } from "../../ui/progress.js";
import { withTriton } from "./triton.js";

/** The Triton side of deploy, models, predict and unregister; the commands dispatch here. */

export async function deployToTriton(
  positional: string[],
  rawOptions: Record<string, unknown>,
  ctx: Context,
) {
  const ui = createUi(ctx);
  const result = await withTriton(rawOptions, ctx, "180s", async (connection, timeout) => {
    const spinner = await startSpinner(ctx, `Deploying to ${connection.label}`);
    try {
      let modelDir = positional[0] ? resolve(ctx.cwd, positional[0]) : undefined;
      if (!modelDir) {
        const project = await findProject({ config: rawOptions.config as string | undefined }, ctx.cwd);
        const plan = await planTritonPackage(project, { repository: connection.repository }, ctx.cwd);
        spinner.update(`packaging ${plan.name} version ${plan.version}`);
        await writeTritonPackage(plan, { force: Boolean(rawOptions.replace) });
        modelDir = join(plan.repository, plan.name);
      }
      const done = await deployTriton(connection, modelDir, {
        replace: Boolean(rawOptions.replace),
        timeoutMs: timeout,
        signal: ctx.signal,
        onStep: (step) => spinner.update(step),
      });
      const smokeData = rawOptions.smoke as string | undefined;
      if (smokeData !== undefined) {
        // A model that loads but cannot answer is not deployed: unload it and say why.
        spinner.update("smoke request");
        try {
          const metadata = await connection.client.metadata(done.name);
          const inputs = await buildInferInputs({ data: smokeData }, metadata, ctx.cwd);
          const { response } = await connection.client.infer(
            done.name,
            undefined,
            inputs,
            randomUUID(),
            timeout,
          );
          Object.assign(done, { smoke: Object.fromEntries(response.outputs.map((o) => [o.name, o.data])) });
        } catch (error) {
          await connection.client.unload(done.name).catch(() => {});
          throw error;
        }
      }
      spinner.done(
        `${done.name} (versions ${done.versions.join(", ")}) READY on ${done.server} (${formatDuration(done.timings.totalMs)})`,
      );
      return done;
    } catch (error) {
      spinner.fail();
      throw error;
    }
  });
  ui.result(result, () =>
    ctx.quiet
      ? result.name
      : [
          `${result.name}  READY  on ${result.server}`,
          `  versions    ${result.versions.join(", ")}`,
          `  repository  ${result.repository}`,
          ...("smoke" in result ? [`  smoke       ${JSON.stringify(result.smoke)}`] : []),
          `  predict     mserve predict ${result.name} --target triton --data '…'`,
        ].join("\n"),
  );
}

export async function tritonModels(positional: string[], rawOptions: Record<string, unknown>, ctx: Context) {
  const ui = createUi(ctx);
  const [name] = positional;
  const data = await withTriton(rawOptions, ctx, "30s", async ({ client }) => {
    const index = (await client.index()).filter((e) => !name || e.name === name);
    const metadata = name && index.some((e) => e.state === "READY") ? await client.metadata(name) : undefined;
    return { models: index, ...(metadata ? { metadata } : {}) };
  });
  ui.result(data, () => {
    if (data.models.length === 0)
      return name
        ? `${name} is not in the repository`
        : "the repository is empty (deploy one with `mserve deploy --target triton`)";
    const table = formatTable(
      ["NAME", "VERSION", "STATE", "REASON"],
      data.models.map((m) => [
        m.name,
        m.version ?? "",
        m.state ?? "(not loaded)",
        (m.reason ?? "").split("\n")[0] ?? "",
      ]),
    );
    if (!data.metadata) return table;
    const tensors = [
      ...data.metadata.inputs.map((t) => ["input", t.name, t.datatype, `[${t.shape}]`]),
      ...data.metadata.outputs.map((t) => ["output", t.name, t.datatype, `[${t.shape}]`]),
    ];
    return `${table}\n\n${formatTable(["", "TENSOR", "DATATYPE", "SHAPE"], tensors)}`;
  });
}

export async function tritonUnload(positional: string[], rawOptions: Record<string, unknown>, ctx: Context) {
  const ui = createUi(ctx);
  const name = (positional[0] as string).split(":")[0] as string;
  await withTriton(rawOptions, ctx, "60s", async (connection) => {
    await confirm(ctx, `unload ${name} from ${connection.label}`, rawOptions.yes as boolean | undefined);
    await connection.client.unload(name);
  });
  ui.result({ name, unloaded: true }, () => `unloaded ${name}`);
}

export async function tritonPredict(
  target: PredictTarget,
  rawOptions: Record<string, unknown>,
  ctx: Context,
) {
  const ui = createUi(ctx);
  const answer = await withTriton(rawOptions, ctx, "60s", async (connection, timeout) => {
    const metadata = await connection.client.metadata(target.name, target.version);
    const inputs = await buildInferInputs(
      {
        input: rawOptions.input as string[] | undefined,
        data: rawOptions.data as string | undefined,
        json: rawOptions.json as string | undefined,
      },
      metadata,
      ctx.cwd,
    );
    const config: Record<string, unknown> = await connection.client.config(target.name).catch(() => ({}));
    const maxBatch = Number(config.max_batch_size ?? 0);
    const rows = inputs[0]?.shape[0] ?? 1;
    if (maxBatch > 0 && rows > maxBatch) {
      throw invalidInput(
        `${rows} rows in one request, but ${target.name} takes at most ${maxBatch} (max_batch_size)`,
        "Split the input, or use --batch with one row per line.",
      );
    }
    const requestId = (rawOptions.requestId as string | undefined) ?? randomUUID();
    const sentAt = new Date().toISOString();
    const started = performance.now();
    const record = {
      requestId,
      ...(rawOptions.groupId ? { groupId: rawOptions.groupId as string } : {}),
      at: sentAt,
      ...(target.model ? { modelId: target.model.id } : {}),
      name: target.name,
      ...(target.alias ? { alias: target.alias } : {}),
      server: connection.label,
      inputSha256: createHash("sha256").update(JSON.stringify(inputs)).digest("hex"),
    };
    const log = (entry: Parameters<typeof appendPrediction>[1]) =>
      appendPrediction(ctx.env, entry).catch(() =>
        ui.warn("could not write the prediction log under $MSERVE_HOME/logs"),
      );
    let answer: Awaited<ReturnType<typeof connection.client.infer>>;
    try {
      answer = await connection.client.infer(target.name, target.version, inputs, requestId, timeout);
    } catch (error) {
      // Failures are logged too, so `mserve logs predictions` shows what went wrong and when.
      if (error instanceof MserveError && error.code !== "INTERRUPTED") {
        const status = (error.details as { status?: number } | undefined)?.status;
        await log({
          ...record,
          ...(target.version ? { version: target.version } : {}),
          latencyMs: Math.round((performance.now() - started) * 10) / 10,
          status: "error",
          ...(status ? { httpStatus: status } : {}),
          error: { code: error.code, message: error.message },
        });
      }
      throw error;
    }
    const { response, elapsedMs } = answer;
    const outputs = Object.fromEntries(response.outputs.map((o) => [o.name, o.data]));
    await log({
      ...record,
      ...(response.model_version ? { version: response.model_version } : {}),
      latencyMs: Math.round(elapsedMs * 10) / 10,
      status: "ok",
      httpStatus: 200,
      ...(rawOptions.logOutput === false ? {} : { output: outputs }),
    });
    return {
      requestId,
      model: response.model_name,
      version: response.model_version,
      latencyMs: Math.round(elapsedMs * 10) / 10,
      outputs: response.outputs,
      response: outputs,
    };
  });
  ui.info(
    `request ${answer.requestId} → ${answer.model}:${answer.version} in ${formatDuration(answer.latencyMs)}`,
  );
  ui.result(answer, () => JSON.stringify(answer.response, null, 2));
}
