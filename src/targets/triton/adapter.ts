import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { invalidInput } from "../../errors.js";
import type { InferInput } from "../../protocols/v2/client.js";
import { v2Predictor } from "../../protocols/v2/predictor.js";
import { formatDuration } from "../../ui/format.js";
import { lines } from "../../ui/view.js";
import type { Target } from "../target.js";
import { connectTriton, type TritonConnection } from "./connect.js";
import type { InstanceGroups } from "./gpu-groups.js";
import { modelsView } from "./views.js";

// Packaging, validation, deploying, serving and doctor load their modules when used.

interface TritonPackageFlags {
  modelName?: string;
  version?: string;
  repository?: string;
  tritonBackend?: string;
  maxBatchSize?: number;
  pythonWrapper?: boolean;
  force?: boolean;
}

export const tritonTarget: Target<TritonConnection> = {
  id: "triton",

  connect: connectTriton,

  async init({ dir, template, name }) {
    const [{ planInit }, { TRITON_TEMPLATES }] = await Promise.all([
      import("../../scaffold/init-project.js"),
      import("./templates.js"),
    ]);
    return planInit({ dir, template, name, files: TRITON_TEMPLATES[template] ?? [] });
  },

  async package({ project, options, dryRun }, hooks) {
    const [{ planTritonPackage, writeTritonPackage }, { writeModelConfig }, { packagedView, shownPath }] =
      await Promise.all([import("./package.js"), import("./config.js"), import("./views.js")]);
    const flags = options as TritonPackageFlags;
    const plan = await planTritonPackage(
      project,
      {
        modelName: flags.modelName,
        version: flags.version,
        repository: flags.repository,
        backend: flags.tritonBackend,
        maxBatchSize: flags.maxBatchSize,
        pythonWrapper: flags.pythonWrapper,
      },
      hooks.cwd,
    );
    const warnings = plan.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
    if (dryRun) {
      const configText = writeModelConfig(plan.config);
      return {
        data: { ...plan, configText },
        view: {
          blocks: [
            lines(
              `${shownPath(hooks.cwd, join(plan.repository, plan.name))}/config.pbtxt:`,
              configText,
              `${plan.name}/${plan.version}/: ${plan.files.map((f) => f.name).join(", ") || "(empty)"}`,
              `${plan.name}/: ${plan.folderFiles.map((f) => f.name).join(", ")}`,
            ),
          ],
        },
        warnings,
      };
    }
    const result = await writeTritonPackage(plan, { force: Boolean(flags.force) });
    return {
      data: result,
      view: packagedView(result, hooks.cwd),
      warnings,
      // --register stores config.pbtxt and this version folder (registry-artifact.ts).
      artifact: {
        path: join(result.repository, result.model, result.version),
        name: result.model,
        version: result.version,
      },
    };
  },

  validator: {
    detect: async (path, cwd) => {
      const [{ resolve }, { detectTriton }] = await Promise.all([
        import("node:path"),
        import("./validate.js"),
      ]);
      return Boolean(await detectTriton(resolve(cwd, path)));
    },
    validate: async (path, cwd, options) => ({
      ...(await (
        await import("./validate.js")
      ).validateTriton(path, cwd, {
        strictModelConfig: Boolean(options.strictModelConfig),
      })),
    }),
    fix: "Fix the errors above; `mserve package --target triton` writes configs Triton accepts.",
  },

  serve: {
    defaultName: "triton",
    plan: async (...args) => (await import("./serve-adapter.js")).tritonServe.plan(...args),
  },

  async deploy(connection, { source, options, timeoutMs }, hooks) {
    const [{ deployTriton }, { planTritonPackage, writeTritonPackage }, { deployedView }, { resolve }] =
      await Promise.all([
        import("./deploy.js"),
        import("./package.js"),
        import("./views.js"),
        import("node:path"),
      ]);
    if (source.kind === "registry") {
      const { placeOnTriton } = await import("./held.js");
      return placeOnTriton(
        connection,
        { archive: source.path, model: source.model, replace: Boolean(options.replace), timeoutMs },
        hooks,
      );
    }
    let modelDir: string;
    if (source.kind === "path") modelDir = resolve(hooks.cwd, source.path);
    else {
      // Packaged where `mserve package` puts it (the project's repository), then placed: nothing
      // reaches the server's repository before the checks pass, and an ensemble finds its steps.
      const plan = await planTritonPackage(
        source.project,
        { pythonWrapper: Boolean(options.pythonWrapper) },
        hooks.cwd,
      );
      hooks.step(`packaging ${plan.name} version ${plan.version}`);
      await writeTritonPackage(plan, { force: Boolean(options.replace) });
      modelDir = join(plan.repository, plan.name);
    }
    const smoke = options.smoke as string | undefined;
    const done = await deployTriton(connection, modelDir, {
      replace: Boolean(options.replace),
      timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
      onWarn: hooks.warn,
      ...(typeof options.gpus === "string" ? { gpus: options.gpus } : {}),
      // A model that loads but cannot answer is not deployed: the deploy is undone and says why.
      ...(smoke !== undefined
        ? {
            verify: async (name: string) => {
              const predictor = v2Predictor(connection.client, { name, cwd: hooks.cwd });
              const answer = await predictor.send(
                await predictor.encode({ data: smoke }),
                randomUUID(),
                timeoutMs,
              );
              return answer.response;
            },
          }
        : {}),
    });
    const { verified, ...rest } = done;
    const result: typeof rest & { smoke?: unknown } = {
      ...rest,
      ...(smoke !== undefined ? { smoke: verified } : {}),
    };
    return {
      data: result,
      view: deployedView(result),
      summary: `${done.name} (versions ${done.versions.join(", ")}) READY on ${done.server} (${formatDuration(done.timings.totalMs)})`,
    };
  },

  async models({ client }, { ref }) {
    const name = ref?.name;
    const index = (await client.index()).filter((e) => !name || e.name === name);
    const metadata = name && index.some((e) => e.state === "READY") ? await client.metadata(name) : undefined;
    // Where each loaded model's instances run: the instance groups of Triton's own (normalized) config.
    const loaded = [...new Set(index.filter((e) => e.state === "READY").map((e) => e.name))];
    const instances = Object.fromEntries(
      await Promise.all(
        loaded.map(
          async (n) =>
            [
              n,
              (await client.config(n).catch((): Record<string, unknown> => ({}))).instance_group ?? [],
            ] as const,
        ),
      ),
    ) as Record<string, InstanceGroups>;
    return {
      data: { models: index, instances, ...(metadata ? { metadata } : {}) },
      view: modelsView(index, name, metadata, instances),
    };
  },

  async unregister(connection, { ref, options }, hooks) {
    const purge = Boolean(options.purge);
    const folder = connection.repository ? join(connection.repository, ref.name) : undefined;
    if (purge && !folder)
      throw invalidInput(
        `the model repository of ${connection.label} is unknown, so --purge cannot remove ${ref.name}`,
        "Pass --repository with the folder the server was started with.",
      );
    const what = ref.version && purge ? `${ref.name} version ${ref.version}` : ref.name;
    await hooks.confirm(
      `${purge ? "unload and delete" : "unload"} ${what} ${purge ? `in ${folder}` : `from ${connection.label}`}`,
    );
    const { purgeModel } = await import("./purge.js");
    let outcome: { name: string; unloaded: boolean; removed: string[] };
    if (purge) outcome = await purgeModel(connection, ref, folder as string);
    else {
      await connection.client.unload(ref.name);
      outcome = { name: ref.name, unloaded: true, removed: [] };
    }
    const removed = outcome.removed.length ? `; removed ${outcome.removed.join(", ")}` : "";
    return {
      data: outcome,
      view: { blocks: [lines(`${outcome.unloaded ? "unloaded" : "reloaded"} ${ref.name}${removed}`)] },
    };
  },

  async predictor(connection, request) {
    const { client } = connection;
    let maxBatch: Promise<number> | undefined;
    return v2Predictor(client, {
      name: request.name,
      version: request.version,
      cwd: request.cwd,
      binary: Boolean(request.options.binary),
      ...(typeof request.options.save === "string" ? { saveDir: request.options.save } : {}),
      // More rows than max_batch_size is refused here, not by the server after the upload.
      async check(inputs: InferInput[]) {
        maxBatch ??= client
          .config(request.name)
          .then((c) => Number(c.max_batch_size ?? 0))
          .catch(() => 0);
        const limit = await maxBatch;
        const rows = inputs[0]?.shape[0] ?? 1;
        if (limit > 0 && rows > limit)
          throw invalidInput(
            `${rows} rows in one request, but ${request.name} takes at most ${limit} (max_batch_size)`,
            "Split the input, or use --batch with one row per line.",
          );
      },
    });
  },

  artifact: {
    detect: async (request) => (await import("./registry-artifact.js")).tritonArtifacts.detect(request),
    describe: async (request) => (await import("./registry-artifact.js")).tritonArtifacts.describe(request),
  },
  held: async (connection, ref) => (await import("./held.js")).heldOnTriton(connection, ref),
  place: async (connection, request, hooks) =>
    (await import("./held.js")).placeOnTriton(connection, request, hooks),

  async doctor(d) {
    return (await import("./doctor.js")).tritonDoctor(d);
  },
};
