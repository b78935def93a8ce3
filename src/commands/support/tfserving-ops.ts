import { resolve } from "node:path";
import { serverFlagsSchema, timeoutMs } from "../../config/server-flags.js";
import type { Context } from "../../context.js";
import { invalidInput, usageError } from "../../errors.js";
import type { PredictTarget } from "../../predict/target.js";
import type { Servable } from "../../targets/tfserving/client.js";
import { connectTfServing, type TfServingConnection } from "../../targets/tfserving/connect.js";
import { deployTfServing, modelStates } from "../../targets/tfserving/deploy.js";
import { formatDuration, formatTable } from "../../ui/format.js";
import { createUi } from "../../ui/output.js";
import { startSpinner } from "../../ui/progress.js";

/** The TF Serving side of deploy, models and predict; the commands dispatch here. */

async function withTfServing<T>(
  rawOptions: Record<string, unknown>,
  ctx: Context,
  defaultTimeout: string,
  work: (c: TfServingConnection, timeout: number) => Promise<T>,
) {
  const flags = serverFlagsSchema.parse(rawOptions);
  const timeout = timeoutMs(flags.timeout, defaultTimeout);
  const connection = await connectTfServing(
    {
      server: flags.server,
      url: flags.url,
      base: (rawOptions.base as string | undefined) ?? flags.modelStore,
    },
    {
      env: ctx.env,
      timeoutMs: timeout,
      signal: ctx.signal,
      onDebug: ctx.debug ? (l) => ctx.stderr.write(`debug: ${l}\n`) : undefined,
    },
  );
  try {
    return await work(connection, timeout);
  } finally {
    await connection.close();
  }
}

/** `deploy --target tfserving SAVED_MODEL --model-name N --version V`: place, then wait until the version is AVAILABLE. */
export async function deployToTfServing(
  positional: string[],
  rawOptions: Record<string, unknown>,
  ctx: Context,
) {
  const ui = createUi(ctx);
  const savedModel = positional[0];
  const name = rawOptions.modelName as string | undefined;
  const version = rawOptions.modelVersion as string | undefined;
  if (!savedModel || !name || !version) {
    throw usageError(
      "deploy --target tfserving needs a SavedModel folder, --model-name and --model-version",
      "e.g. mserve deploy --target tfserving export/ --model-name linear --model-version 2",
    );
  }
  const labels = Object.fromEntries(
    ((rawOptions.label as string[] | undefined) ?? []).map((p) => p.split("=") as [string, string]),
  );
  const result = await withTfServing(rawOptions, ctx, "180s", async (connection, timeout) => {
    const spinner = await startSpinner(ctx, `Deploying ${name}:${version} to ${connection.label}`);
    try {
      const done = await deployTfServing(connection, {
        savedModel: resolve(ctx.cwd, savedModel),
        name,
        version,
        versionPolicy: rawOptions.versionPolicy as string | undefined,
        labels,
        force: Boolean(rawOptions.replace),
        timeoutMs: timeout,
        signal: ctx.signal,
        onStep: (step) => spinner.update(step),
      });
      const { waitedMs, ...placed } = done;
      spinner.done(`${name}:${version} AVAILABLE on ${connection.label} (${formatDuration(waitedMs)})`);
      return placed;
    } catch (error) {
      spinner.fail();
      throw error;
    }
  });
  ui.result(
    result,
    () =>
      `${result.model}:${result.version}  ${result.state}  on ${result.server}\n  path    ${result.path}\n  served  ${result.served.join(", ")}`,
  );
}

export async function tfServingModels(
  positional: string[],
  rawOptions: Record<string, unknown>,
  ctx: Context,
) {
  const ui = createUi(ctx);
  const rows = await withTfServing(rawOptions, ctx, "30s", (connection) =>
    modelStates(connection, positional[0] ? [positional[0].split(/[:@]/)[0] as string] : undefined),
  );
  ui.result({ models: rows }, () =>
    rows.length === 0
      ? "no models (deploy one with `mserve deploy --target tfserving`)"
      : formatTable(
          ["NAME", "VERSION", "STATE", "ERROR"],
          rows.map((r) => [r.name, r.version, r.state, r.error ?? ""]),
        ),
  );
}

/** `predict linear:2`, `predict linear@stable` or `predict linear` (latest); body from --json, or --data as JSON instances. */
export async function tfServingPredict(
  target: PredictTarget,
  rawOptions: Record<string, unknown>,
  ctx: Context,
) {
  const ui = createUi(ctx);
  const servable: Servable = target.alias
    ? { label: target.alias }
    : target.version
      ? /^\d+$/.test(target.version)
        ? { version: target.version }
        : { label: target.version }
      : {};
  const text = (rawOptions.json as string | undefined) ?? (rawOptions.data as string | undefined);
  if (text === undefined)
    throw usageError(
      "no input given",
      'Give --json \'{"instances": [[1, 2, 3]]}\' (or "inputs"), or --data with the instances as JSON.',
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidInput(
      "the request is not JSON",
      'TF Serving takes {"instances": [...]} (row format) or {"inputs": ...} (columnar).',
    );
  }
  if (Array.isArray(body)) body = { instances: body };
  const answer = await withTfServing(rawOptions, ctx, "60s", async (connection, timeout) =>
    connection.client.predict(target.name, servable, body, timeout),
  );
  ui.info(`${target.label} answered in ${formatDuration(answer.elapsedMs)}`);
  ui.result(answer.result, () => JSON.stringify(answer.result, null, 2));
}
