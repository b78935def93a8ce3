import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { timeoutMs } from "../config/server-flags.js";
import type { Context } from "../context.js";
import { MserveError } from "../errors.js";
import { planTfServingServe, startTfServingServe } from "../targets/tfserving/serve.js";
import { shellQuote } from "../targets/torchserve/runtime.js";
import { planServe, startServe } from "../targets/torchserve/serve.js";
import { planTritonServe, startTritonServe } from "../targets/triton/serve.js";
import { formatDuration } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { startSpinner } from "../ui/progress.js";

const flagsSchema = z.object({
  target: z.enum(["torchserve", "triton", "tfserving"]).default("torchserve"),
  base: z.string().optional(),
  configPoll: z.string().default("5"),
  repository: z.string().optional(),
  runtime: z.enum(["local", "docker"]).default("local"),
  name: z.string().optional(),
  modelStore: z.string().optional(),
  ports: z.string().optional(),
  image: z.string().optional(),
  disableTokenAuth: z.boolean().optional(),
  wait: z.boolean().default(true),
  timeout: z.string().optional(),
  dryRun: z.boolean().optional(),
  debug: z.boolean().optional(),
});

type Flags = z.infer<typeof flagsSchema>;

/** `serve --target triton`: tritonserver in explicit model-control mode, HTTP on 127.0.0.1. */
async function serveTriton(flags: Flags, ctx: Context) {
  const ui = createUi(ctx);
  const options = {
    name: flags.name ?? "triton",
    runtime: flags.runtime,
    repository: flags.repository ?? flags.modelStore,
    ports: flags.ports,
    image: flags.image,
  };
  const plan = await planTritonServe(options, ctx.env, ctx.cwd, { dryRun: Boolean(flags.dryRun) });
  if (flags.dryRun) {
    ui.result(
      {
        dryRun: true,
        runtime: plan.runtime,
        command: [plan.file, ...plan.args],
        cwd: plan.cwd,
        env: plan.env,
        urls: plan.urls,
      },
      () =>
        [
          `# run in ${plan.cwd}`,
          ...Object.entries(plan.env).map(([k, v]) => `export ${k}=${shellQuote([v])}`),
          shellQuote([plan.file, ...plan.args]),
        ].join("\n"),
    );
    return;
  }
  const spinner = await startSpinner(ctx, `Starting Triton ${options.name} (${flags.runtime})`);
  const started = await startTritonServe(
    plan,
    {
      ...options,
      wait: flags.wait,
      timeoutMs: timeoutMs(flags.timeout, "120s"),
      signal: ctx.signal,
      onDebug: flags.debug ? (line) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
    },
    ctx.env,
  ).catch((error) => {
    spinner.fail();
    throw error;
  });
  spinner.done(
    started.readyMs === undefined
      ? `Started ${options.name}`
      : `Triton ${options.name} is live after ${formatDuration(started.readyMs)}`,
  );
  const { record } = started;
  ui.result({ ...record, ready: started.readyMs !== undefined, readyMs: started.readyMs }, () =>
    ctx.quiet
      ? record.name
      : [
          `${record.name}  triton  ${record.runtime}  ${record.pid ? `pid ${record.pid}` : `container ${record.containerId?.slice(0, 12)}`}`,
          `  http        ${record.urls.http}  (v2 inference and repository API)`,
          `  metrics     ${record.urls.metrics}`,
          `  repository  ${record.modelStore}  (explicit model control: mserve deploy loads models)`,
          `  logs        mserve logs ${record.name}`,
        ].join("\n"),
  );
}

/** `serve --target tfserving`: models.config polled for changes, REST on 127.0.0.1. */
async function serveTfServing(flags: Flags, ctx: Context) {
  const ui = createUi(ctx);
  const pollSeconds = Number(flags.configPoll);
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1) {
    throw new MserveError(
      "USAGE",
      `--config-poll must be a whole number of seconds ≥ 1, got "${flags.configPoll}"`,
    );
  }
  const options = {
    name: flags.name ?? "tfserving",
    runtime: flags.runtime,
    base: flags.base ?? flags.modelStore,
    ports: flags.ports,
    image: flags.image,
    pollSeconds,
  };
  const plan = await planTfServingServe(options, ctx.env, ctx.cwd, { dryRun: Boolean(flags.dryRun) });
  if (flags.dryRun) {
    ui.result(
      {
        dryRun: true,
        runtime: plan.runtime,
        command: [plan.file, ...plan.args],
        cwd: plan.cwd,
        urls: plan.urls,
      },
      () => shellQuote([plan.file, ...plan.args]),
    );
    return;
  }
  const spinner = await startSpinner(ctx, `Starting TF Serving ${options.name} (${flags.runtime})`);
  const started = await startTfServingServe(
    plan,
    { ...options, wait: flags.wait, timeoutMs: timeoutMs(flags.timeout, "120s"), signal: ctx.signal },
    ctx.env,
  ).catch((error) => {
    spinner.fail();
    throw error;
  });
  spinner.done(`TF Serving ${options.name} answers after ${formatDuration(started.readyMs ?? 0)}`);
  const { record } = started;
  ui.result(record, () =>
    ctx.quiet
      ? record.name
      : [
          `${record.name}  tfserving  ${record.runtime}`,
          `  rest        ${record.urls.rest}`,
          `  base        ${record.modelStore} (models.config re-read every ${pollSeconds}s)`,
        ].join("\n"),
  );
}

export const run: CommandRun = async (_positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  if (flags.target === "triton") return serveTriton(flags, ctx);
  if (flags.target === "tfserving") return serveTfServing(flags, ctx);
  const ui = createUi(ctx);
  const options = {
    name: flags.name ?? "torchserve",
    runtime: flags.runtime,
    modelStore: flags.modelStore,
    ports: flags.ports,
    image: flags.image,
    tokenAuth: !flags.disableTokenAuth,
  };
  const plan = await planServe(options, ctx, { dryRun: Boolean(flags.dryRun) });
  if (flags.dryRun) {
    ui.result(
      {
        dryRun: true,
        runtime: plan.runtime,
        command: [plan.file, ...plan.args],
        cwd: plan.cwd,
        env: plan.env,
        files: plan.files,
        urls: plan.urls,
      },
      () =>
        [
          ...plan.files.map((f) => `# ${f.path}\n${f.content}`),
          `# run in ${plan.cwd}`,
          shellQuote([plan.file, ...plan.args]),
        ].join("\n"),
    );
    return;
  }
  const spinner = await startSpinner(ctx, `Starting TorchServe ${options.name} (${flags.runtime})`);
  const started = await startServe(
    plan,
    {
      ...options,
      wait: flags.wait,
      timeoutMs: timeoutMs(flags.timeout, "120s"),
      onDebug: flags.debug ? (line) => ctx.stderr.write(`debug: ${line}\n`) : undefined,
    },
    ctx,
  ).catch((error) => {
    spinner.fail();
    throw error;
  });
  spinner.done(
    started.readyMs === undefined
      ? `Started ${options.name} (not waiting for /ping)`
      : `TorchServe ${options.name} is healthy after ${formatDuration(started.readyMs)}`,
  );
  for (const note of started.notes) ui.info(note);
  const { record } = started;
  ui.result({ ...record, ready: started.readyMs !== undefined, readyMs: started.readyMs }, () =>
    ctx.quiet
      ? record.name
      : [
          `${record.name}  ${record.runtime}  ${record.pid ? `pid ${record.pid}` : `container ${record.containerId?.slice(0, 12)}`}`,
          `  inference   ${record.urls.inference}`,
          `  management  ${record.urls.management}`,
          `  metrics     ${record.urls.metrics}`,
          `  model store ${record.modelStore}`,
          `  token auth  ${record.tokenAuth ? `on (keys in ${record.keyFile}, never printed)` : "off"}`,
          `  logs        mserve logs ${record.name}`,
        ].join("\n"),
  );
};
