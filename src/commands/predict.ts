import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { wholeNumber } from "../config/server-flags.js";
import type { Context } from "../context.js";
import { MserveError, usageError } from "../errors.js";
import { readPredictInput } from "../predict/input.js";
import { checkRequestId } from "../predict/log.js";
import { type BatchLineResult, runPredictBatch } from "../predict/run-batch.js";
import { sendPrediction } from "../predict/send.js";
import { ensureOnServer } from "../predict/sidecar.js";
import { type PredictTarget, resolvePredictTarget } from "../predict/target.js";
import { openRegistry } from "../registry/open.js";
import { formatSpec, parseRef } from "../registry/resolve.js";
import type { Registry } from "../registry/types.js";
import type { Connection } from "../targets/torchserve/connect.js";
import { formatDuration } from "../ui/format.js";
import { createUi, type Ui } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";
import { withConnection } from "./support/connection.js";
import { kservePredict } from "./support/kserve-ops.js";
import { tfServingPredict } from "./support/tfserving-ops.js";
import { targetOf } from "./support/triton.js";
import { tritonPredict } from "./support/triton-ops.js";

const flagsSchema = z.object({
  data: z.string().optional(),
  file: z.string().optional(),
  json: z.string().optional(),
  contentType: z.string().optional(),
  requestId: z.string().optional(),
  groupId: z.string().optional(),
  id: z.string().optional(),
  batch: z.string().optional(),
  concurrency: wholeNumber("--concurrency", 1).default(4),
  autoRegister: z.boolean().default(true),
  logOutput: z.boolean().default(true),
  registry: z.string().optional(),
  version: z.string().optional(),
});
type Flags = z.infer<typeof flagsSchema>;

const describe = (target: PredictTarget) =>
  target.model ? `${target.name}:${target.version}${target.alias ? ` (${target.alias})` : ""}` : target.label;

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  if (flags.version !== undefined && positional[1] !== undefined) {
    throw usageError(`two versions given: "${positional[1]}" and --version ${flags.version}`);
  }
  if (flags.requestId !== undefined) checkRequestId(flags.requestId);
  const spec = parseRef(positional[0], positional[1] ?? flags.version, flags.id);
  let registry: Registry | undefined;
  const open = async () => {
    registry ??= await openRegistry({ env: ctx.env, cwd: ctx.cwd, flag: flags.registry, signal: ctx.signal });
    return registry;
  };
  try {
    if (rawOptions.target === "kserve") {
      if (spec.kind === "id") throw usageError("--id is for registry versions; KServe serves by name");
      return await kservePredict(spec.name, rawOptions, ctx);
    }
    const kind = await targetOf(rawOptions, ctx);
    if (flags.batch && kind !== "torchserve") {
      throw usageError(
        `--batch is not available for ${kind} yet`,
        "Send one request per input, or use a TorchServe model for batch files.",
      );
    }
    if (kind === "tfserving") {
      // TF Serving's labels live in its models.config, not in the registry: name the servable directly.
      const word =
        spec.kind === "alias"
          ? spec.alias
          : spec.kind === "version"
            ? spec.version
            : spec.kind === "pair"
              ? spec.word
              : undefined;
      const name = spec.kind === "id" ? "" : spec.name;
      return await tfServingPredict(
        {
          name,
          label: formatSpec(spec),
          ...(spec.kind === "alias" ? { alias: word } : word ? { version: word } : {}),
        },
        rawOptions,
        ctx,
      );
    }
    const target = await resolvePredictTarget(spec, open);
    if (kind === "triton") return await tritonPredict(target, rawOptions, ctx);
    await withConnection(rawOptions, ctx, "60s", async (connection, timeout) => {
      if (target.model && registry) {
        const spinner = await startSpinner(ctx, `Preparing ${describe(target)}`);
        const { registered } = await ensureOnServer(connection, registry, target.model, {
          autoRegister: flags.autoRegister,
          timeoutMs: Math.max(timeout, 180_000),
          signal: ctx.signal,
          label: target.label,
          onStep: (step) => spinner.update(step),
        }).catch((error) => {
          spinner.fail();
          throw error;
        });
        if (registered)
          spinner.done(
            `registered ${target.name}:${target.version} on ${connection.label} from the registry`,
          );
        else spinner.fail();
      }
      if (flags.batch) await predictBatch(connection, target, flags, ctx, ui, timeout);
      else await predictOnce(connection, target, flags, ctx, ui, timeout);
    });
  } finally {
    await registry?.close();
  }
};

async function predictOnce(
  connection: Connection,
  target: PredictTarget,
  flags: Flags,
  ctx: Context,
  ui: Ui,
  timeout: number,
) {
  const input = await readPredictInput(flags, ctx.cwd);
  const outcome = await sendPrediction(connection, input, {
    target,
    groupId: flags.groupId,
    requestId: flags.requestId,
    logOutput: flags.logOutput,
    env: ctx.env,
    timeoutMs: timeout,
  });
  if (outcome.logFailed) ui.warn("could not write the prediction log under $MSERVE_HOME/logs");
  if (outcome.error) throw outcome.error;
  ui.info(`request ${outcome.requestId} → ${describe(target)} in ${formatDuration(outcome.latencyMs)}`);
  ui.result(
    {
      requestId: outcome.requestId,
      ...(outcome.serverRequestId ? { serverRequestId: outcome.serverRequestId } : {}),
      ...(flags.groupId ? { groupId: flags.groupId } : {}),
      model: target.name,
      ...(target.version ? { version: target.version } : {}),
      ...(target.alias ? { alias: target.alias } : {}),
      ...(target.model ? { modelId: target.model.id } : {}),
      status: outcome.httpStatus,
      latencyMs: outcome.latencyMs,
      response: outcome.response,
    },
    () =>
      typeof outcome.response === "string" ? outcome.response : JSON.stringify(outcome.response, null, 2),
  );
}

/** Ordered JSONL out, one line per input; failures are reported in place and summed up at the end. */
async function predictBatch(
  connection: Connection,
  target: PredictTarget,
  flags: Flags,
  ctx: Context,
  ui: Ui,
  timeout: number,
) {
  const given = (["data", "file", "json", "requestId", "contentType"] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (given.length > 0) {
    const flag = `--${(given[0] as string).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new MserveError("USAGE", `${flag} does not go with --batch`, {
      hint: "Each line of the batch file is one input; request ids are generated per line.",
    });
  }
  const groupId = flags.groupId ?? randomUUID();
  const spinner = await startSpinner(ctx, `Predicting with ${describe(target)}`);
  const results: BatchLineResult[] = [];
  const {
    total: count,
    failedLines,
    codes,
    logFailed,
  } = await runPredictBatch(
    connection,
    target,
    {
      file: flags.batch as string,
      cwd: ctx.cwd,
      concurrency: flags.concurrency,
      groupId,
      logOutput: flags.logOutput,
      env: ctx.env,
      timeoutMs: timeout,
      signal: ctx.signal,
    },
    (result, sofar) => {
      if (ctx.output === "json") results.push(result);
      else ctx.stdout.write(`${JSON.stringify(result)}\n`);
      spinner.update(`${sofar.total} done, ${sofar.failedLines.length} failed`);
    },
  );
  if (ctx.signal.aborted) throw new MserveError("INTERRUPTED", `interrupted after ${count} input(s)`);
  if (count === 0) {
    spinner.fail();
    throw new MserveError("INVALID_INPUT", `no inputs in ${flags.batch}`, {
      hint: "Write one JSON value per line (a JSON string is sent as text).",
    });
  }
  if (logFailed) ui.warn("could not write the prediction log under $MSERVE_HOME/logs");
  const summary = {
    group: groupId,
    total: count,
    ok: count - failedLines.length,
    failed: failedLines.length,
    failedLines,
  };
  const document = { model: target.name, version: target.version, alias: target.alias, ...summary, results };
  // -o json prints one document: the results themselves, or the error carrying them.
  if (ctx.output === "json" && failedLines.length === 0) ui.result(document, () => "");
  if (failedLines.length === 0) {
    spinner.done(`${count} prediction(s) with ${describe(target)}, group ${groupId}`);
    return;
  }
  spinner.fail();
  const [only] = codes;
  throw new MserveError(
    codes.size === 1 && only ? (only as MserveError["code"]) : "SERVER_ERROR",
    `${failedLines.length} of ${count} prediction(s) failed (line${failedLines.length > 1 ? "s" : ""} ${failedLines.slice(0, 10).join(", ")}${failedLines.length > 10 ? ", …" : ""})`,
    {
      hint: "Each failure is on its own output line; the others succeeded.",
      details: ctx.output === "json" ? document : summary,
    },
  );
}
