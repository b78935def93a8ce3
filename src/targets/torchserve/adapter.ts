import { MserveError, usageError } from "../../errors.js";
import { formatDuration } from "../../ui/format.js";
import { lines } from "../../ui/view.js";
import type { Flags, Target, VersionRequest } from "../target.js";
import type { Connection } from "./connect.js";
import type { DeployResult } from "./deploy.js";
import type { PackageFlags } from "./options.js";

// Every verb loads its modules when used: package does not load the HTTP client, predict not the packager.
const serverOps = () => import("./server-ops.js");

interface WorkerFlags {
  minWorkers?: number;
  maxWorkers?: number;
  batchSize?: number;
  maxBatchDelay?: number;
  responseTimeout?: number;
}

const said: Record<DeployResult["status"], string> = {
  deployed: "deployed",
  replaced: "replaced",
  unchanged: "unchanged: already deployed with the same content; nothing to do",
};

const ref = (request: VersionRequest) => request.ref;

/** How a registry deploy was named, for the fix a conflict suggests. */
const registryRef = (source: { model: { name: string; version: string }; alias?: string }) =>
  source.alias ? `${source.model.name}@${source.alias}` : `${source.model.name}:${source.model.version}`;

/** --max-compression-ratio and --ratio-min-bytes, as the archive readers take them. */
function ratioLimit(options: Flags): { maxCompressionRatio?: number; ratioMinBytes?: number } {
  const ratio = options.maxCompressionRatio as number | undefined;
  const min = options.ratioMinBytes as number | undefined;
  return {
    ...(ratio === undefined ? {} : { maxCompressionRatio: ratio }),
    ...(min === undefined ? {} : { ratioMinBytes: min }),
  };
}
const shortRef = (r: { name: string; version?: string }) => (r.version ? `${r.name}:${r.version}` : r.name);

export const torchserveTarget: Target<Connection> = {
  id: "torchserve",

  async connect(flags, ctx) {
    const { connect, selectionOf } = await serverOps();
    return connect(selectionOf(flags), ctx);
  },

  async init({ dir, template, name }) {
    const [{ planInit }, { TORCHSERVE_TEMPLATES }] = await Promise.all([
      import("../../scaffold/init-project.js"),
      import("./templates.js"),
    ]);
    return planInit({ dir, template, name, files: TORCHSERVE_TEMPLATES[template] ?? [] });
  },

  async package({ project, options, dryRun }, hooks) {
    // The archive writers (and their packages) load once the inputs are known to be complete.
    const [{ planPackage }, { sourceDate }] = await Promise.all([
      import("./package.js"),
      import("../../archive/source-date.js"),
    ]);
    const flags = options as PackageFlags;
    const fixed = sourceDate(hooks.env);
    const plan = await planPackage({
      flags,
      project,
      cwd: hooks.cwd,
      ...(fixed ? { now: fixed, reproducible: true } : {}),
    });
    const [{ totalSize }, { writeMarArtifact }, { artifactView, dryRunView }] = await Promise.all([
      import("../../archive/entries.js"),
      import("./artifact.js"),
      import("./views.js"),
    ]);
    if (dryRun) return { ...dryRunView(plan, hooks.cwd), warnings: plan.warnings };
    const advance = await hooks.bytes(`Packaging ${plan.inputs.modelName}`, totalSize(plan.entries));
    const artifact = await writeMarArtifact(plan, {
      force: Boolean(options.force),
      signal: hooks.signal,
      onBytes: advance,
    });
    return {
      data: artifact,
      view: artifactView(artifact, hooks.cwd),
      summary: `Packaged ${plan.inputs.modelName} ${plan.inputs.version}`,
      warnings: plan.warnings,
      artifact: { path: artifact.path },
    };
  },

  validator: {
    detect: async () => true,
    catchAll: true,
    async validate(path, cwd, options) {
      // The archive readers load only for archives: other validators do not pay for them.
      const { validateArtifact } = await import("./read-artifact.js");
      return { ...(await validateArtifact(path, cwd, ratioLimit(options))) };
    },
    fix: "Fix the errors above, or re-create the archive with `mserve package`.",
    async inspect(path, cwd) {
      const [{ inspectArtifact }, { inspectView }] = await Promise.all([
        import("./read-artifact.js"),
        import("./views.js"),
      ]);
      const report = await inspectArtifact(path, cwd);
      return { data: report, view: inspectView(report, cwd, false) };
    },
  },

  serve: {
    defaultName: "torchserve",
    plan: async (...args) => (await import("./serve-adapter.js")).torchserveServe.plan(...args),
  },

  async deploy(connection, { source, options, timeoutMs }, hooks) {
    const [{ deployArchive }, { packageForDeploy }, { deployView }] = await Promise.all([
      import("./deploy.js"),
      import("./package-for-deploy.js"),
      import("./views.js"),
    ]);
    const flags = options as WorkerFlags & Flags;
    const deploy = (archive: string, expectedSha256?: string) => {
      let model: { name: string; version: string } | undefined;
      return deployArchive(connection, {
        archive,
        expectedSha256,
        ...(source.kind === "registry"
          ? { replaceHint: `mserve deploy ${registryRef(source)} --replace` }
          : {}),
        replace: Boolean(flags.replace),
        wait: flags.wait !== false,
        timeoutMs,
        signal: hooks.signal,
        minWorkers: flags.minWorkers,
        maxWorkers: flags.maxWorkers,
        batchSize: flags.batchSize,
        maxBatchDelayMs: flags.maxBatchDelay,
        responseTimeoutSec: flags.responseTimeout,
        onStep: hooks.step,
        onArtifact: (read) => {
          model = read;
        },
      }).catch(async (error: unknown) => {
        // A worker that died while loading left its Python exception in the worker log.
        const { withWorkerCause } = await import("./worker-log.js");
        throw await withWorkerCause(error, { logFile: connection.record?.logFile, ...model, when: "load" });
      });
    };
    let done: DeployResult | undefined;
    if (source.kind === "registry") {
      if (source.model.kind !== "torchserve-archive")
        throw new MserveError(
          "INVALID_INPUT",
          `${source.model.name}:${source.model.version} is a ${source.model.kind} artifact, not a TorchServe archive`,
          { hint: `Deploy it to the target it was made for (--target ${source.model.target}).` },
        );
      done = await deploy(source.path, source.model.artifact.sha256);
    } else if (source.kind === "path") done = await deploy(source.path);
    else
      await packageForDeploy(
        { project: source.project, cwd: hooks.cwd, signal: hooks.signal },
        async (path) => {
          done = await deploy(path);
        },
      );
    const result = done as DeployResult;
    return {
      data: result,
      view: deployView(result),
      summary: `${result.name}:${result.version} ${said[result.status]} (${formatDuration(result.timings.totalMs)})`,
    };
  },

  async models({ client }, { ref }) {
    const { describeAll, describeModel, modelsView, readiness, workerPlacement } = await serverOps();
    const models = ref ? await describeModel(client, ref) : await describeAll(client);
    // Where each worker runs, read from describe's gpu/gpuUsage, next to the raw fields.
    const placed = models.map((m) => ({ ...m, devices: m.workers.map(workerPlacement) }));
    return { data: { models: placed }, view: modelsView(models, ref?.name, readiness) };
  },

  async register({ client, label }, { url, options, timeoutMs }, hooks) {
    const flags = options as WorkerFlags & { modelName?: string; wait?: boolean };
    hooks.step(`registering ${url} on ${label}`);
    const { registerArchive } = await serverOps();
    const outcome = await registerArchive(
      client,
      {
        url,
        modelName: flags.modelName,
        initialWorkers: flags.minWorkers ?? 1,
        batchSize: flags.batchSize,
        maxBatchDelayMs: flags.maxBatchDelay,
        responseTimeoutSec: flags.responseTimeout,
        synchronous: flags.wait !== false,
      },
      { maxWorkers: flags.maxWorkers, wait: flags.wait !== false, timeoutMs, signal: hooks.signal },
    );
    return { data: outcome, view: { blocks: [lines(outcome.message)] }, summary: outcome.message };
  },

  async scale({ client }, request, hooks) {
    const flags = request.options as { min?: number; max?: number; wait?: boolean };
    const target = ref(request);
    if (flags.min === undefined && flags.max === undefined)
      throw usageError("give --min and/or --max workers");
    const min = flags.min ?? Math.min(flags.max ?? 1, 1);
    const max = flags.max ?? min;
    if (max < min) throw usageError(`--max (${max}) is below --min (${min})`);
    hooks.step(`scaling ${shortRef(target)} to ${min}..${max} workers`);
    const { readiness, waitForWorkers } = await serverOps();
    // The REST scale call ignores `timeout`; wait by polling describe instead of holding a request open.
    const answer = await client.scale(target.name, target.version, { min, max, synchronous: false });
    const model = flags.wait
      ? await waitForWorkers(client, target, {
          timeoutMs: request.timeoutMs,
          signal: hooks.signal,
          want: min,
        })
      : (await client.describe(target.name, target.version))[0];
    const r = model ? readiness(model) : undefined;
    const data = {
      name: target.name,
      version: model?.modelVersion,
      min,
      max,
      message: answer.message,
      model,
    };
    return {
      data,
      view: {
        blocks: [
          lines(
            `${target.name}:${data.version}  workers min ${min}, max ${max}${r ? `  (${r.ready} READY now)` : ""}`,
          ),
        ],
      },
      summary: flags.wait ? `${shortRef(target)} has ${min} READY worker(s)` : answer.message,
    };
  },

  async setDefault({ client }, { ref: target }) {
    if (!target.version)
      throw usageError("set-default needs a version", "For example: mserve set-default intent 2");
    const message = await client.setDefault(target.name, target.version);
    return {
      data: { name: target.name, defaultVersion: target.version, message },
      view: { blocks: [lines(`${target.name}: default version is now ${target.version}`)] },
    };
  },

  async unregister(connection, request, hooks) {
    const flags = request.options as { keepArchive?: boolean };
    const { unregisterModel, unregisterView } = await serverOps();
    const result = await unregisterModel(connection, request.ref, {
      keepArchive: flags.keepArchive,
      confirm: (version) =>
        hooks.confirm(`unregister ${request.ref.name}:${version} from ${connection.label}`),
    });
    return { data: result, view: unregisterView(result) };
  },

  predictor: async (connection, request) => (await serverOps()).torchservePredictor(connection, request),

  artifact: {
    detect: async (request) => (await import("./registry-artifact.js")).torchserveArtifacts.detect(request),
    describe: async (request) =>
      (await import("./registry-artifact.js")).torchserveArtifacts.describe(request),
  },

  held: async (connection, ref) => (await import("./held.js")).heldOnTorchServe(connection, ref),

  async place(connection, { archive, model, replace, timeoutMs }, hooks) {
    if (model.kind !== "torchserve-archive")
      throw new MserveError(
        "INVALID_INPUT",
        `${model.name}:${model.version} is a ${model.kind} artifact that TorchServe cannot load`,
        { hint: "Push a .mar or .tar.gz made by `mserve package` for TorchServe." },
      );
    const [{ deployArchive }, { deployView }] = await Promise.all([
      import("./deploy.js"),
      import("./views.js"),
    ]);
    const result = await deployArchive(connection, {
      archive,
      expectedSha256: model.artifact.sha256,
      replace,
      wait: true,
      timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
    });
    return { data: result, view: deployView(result) };
  },
  doctor: async (d) => (await import("./doctor.js")).torchserveDoctor(d),
};
