import { join, relative, resolve } from "node:path";
import { totalSize } from "../archive/entries.js";
import type { CommandRun } from "../command-tree.js";
import type { Context } from "../context.js";
import { usageError } from "../errors.js";
import { currentActor } from "../registry/open.js";
import { describePush } from "../registry/push-input.js";
import { packageTfServing } from "../targets/tfserving/package.js";
import { writeMarArtifact } from "../targets/torchserve/artifact.js";
import { findProject, type PackageFlags, packageFlagsSchema } from "../targets/torchserve/options.js";
import { planPackage } from "../targets/torchserve/package.js";
import { writeModelConfig } from "../targets/triton/config.js";
import { planTritonPackage, writeTritonPackage } from "../targets/triton/package.js";
import { formatBytes, formatTable } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { startByteProgress } from "../ui/progress.js";
import { packageKserve } from "./support/kserve-ops.js";
import { withRegistry } from "./support/registry.js";

/** `package --register`: the archive just written goes into the registry, as `registry push` would. */
async function registerPackaged(path: string, rawOptions: Record<string, unknown>, ctx: Context) {
  const input = await describePush(path, ctx.cwd, { tags: {} });
  return withRegistry(rawOptions, ctx, (registry) => registry.push(input, { by: currentActor(ctx.env) }));
}

/** A path relative to the current folder when it is inside it, else absolute. */
const shownPath = (cwd: string, path: string) => {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
};

/** `package --target triton`: a model folder with config.pbtxt and a version folder in the repository. */
async function packageTriton(flags: PackageFlags, ctx: Context) {
  const ui = createUi(ctx);
  const project = await findProject(flags, ctx.cwd);
  const plan = await planTritonPackage(
    project,
    {
      modelName: flags.modelName,
      version: flags.version,
      repository: flags.repository,
      backend: flags.tritonBackend,
      maxBatchSize: flags.maxBatchSize,
    },
    ctx.cwd,
  );
  for (const d of plan.diagnostics.filter((x) => x.severity === "warning")) ui.warn(d.message);
  if (flags.dryRun) {
    ui.result({ ...plan, configText: writeModelConfig(plan.config) }, () =>
      [
        `${shownPath(ctx.cwd, join(plan.repository, plan.name))}/config.pbtxt:`,
        writeModelConfig(plan.config),
        `${plan.name}/${plan.version}/: ${plan.files.map((f) => f.name).join(", ")}`,
      ].join("\n"),
    );
    return;
  }
  const result = await writeTritonPackage(plan, { force: Boolean(flags.force) });
  ui.result(result, () =>
    ctx.quiet
      ? join(result.repository, result.model, result.version)
      : `${shownPath(ctx.cwd, join(result.repository, result.model))}: version ${result.version} ${result.status}, config.pbtxt ${result.configStatus} (${result.files.join(", ")})`,
  );
}

/** `package --target tfserving`: <base>/<name>/<version>/ and models.config. */
async function packageForTfServing(flags: PackageFlags, ctx: Context) {
  const ui = createUi(ctx);
  const project = await findProject(flags, ctx.cwd);
  const section = (project?.config.targets?.tfserving ?? {}) as Record<string, unknown>;
  const fromProject = (key: string) =>
    typeof section[key] === "string" ? resolve(project?.dir ?? ctx.cwd, section[key] as string) : undefined;
  const savedModel = flags.savedModel ? resolve(ctx.cwd, flags.savedModel) : fromProject("saved-model");
  const name = flags.modelName ?? project?.config.name;
  const version = flags.version ?? project?.config.version;
  if (!savedModel || !name || !version) {
    throw usageError(
      "package --target tfserving needs --saved-model, --model-name and -v/--version",
      "e.g. mserve package --target tfserving --saved-model export/ --model-name intent -v 3 --base models",
    );
  }
  const labels: Record<string, string> = {};
  for (const pair of flags.label ?? []) {
    const m = /^([A-Za-z][\w-]*)=([1-9][0-9]*)$/.exec(pair);
    if (!m)
      throw usageError(`invalid --label "${pair}"`, "Write --label NAME=VERSION, e.g. --label stable=2.");
    labels[m[1] as string] = m[2] as string;
  }
  const result = await packageTfServing({
    savedModel,
    name,
    version,
    base: flags.base ? resolve(ctx.cwd, flags.base) : (fromProject("base") ?? resolve(ctx.cwd, "models")),
    versionPolicy: flags.versionPolicy,
    labels,
    force: Boolean(flags.force),
  });
  ui.result(result, () =>
    ctx.quiet
      ? result.path
      : [
          `${shownPath(ctx.cwd, result.path)}  ${result.status}`,
          `  models.config  ${shownPath(ctx.cwd, result.modelsConfig)}`,
          `  served         ${result.served.join(", ")}`,
          ...(Object.keys(result.labels).length
            ? [
                `  labels         ${Object.entries(result.labels)
                  .map(([l, v]) => `${l}→${v}`)
                  .join(" ")}`,
              ]
            : []),
        ].join("\n"),
  );
}

export const run: CommandRun = async (_positional, rawOptions, ctx) => {
  const flags = packageFlagsSchema.parse(rawOptions);
  if (flags.target === "triton") return packageTriton(flags, ctx);
  if (flags.target === "tfserving") return packageForTfServing(flags, ctx);
  if (flags.target === "kserve") return packageKserve(rawOptions, ctx);
  const ui = createUi(ctx);
  const plan = await planPackage({ flags, cwd: ctx.cwd });
  for (const warning of plan.warnings) ui.warn(warning);
  const shown = (p: string) => relative(ctx.cwd, p) || ".";

  if (flags.dryRun) {
    const entries = [...plan.entries, plan.manifestEntry].map((e) => ({
      name: e.name,
      size: e.size,
      source: e.source.kind === "file" ? e.source.path : "(generated)",
    }));
    ui.result(
      {
        dryRun: true,
        path: plan.outputPath,
        format: plan.inputs.archiveFormat,
        manifest: plan.manifest,
        entries,
      },
      () =>
        [
          `would write ${shown(plan.outputPath)} (${plan.inputs.archiveFormat})`,
          formatTable(
            ["entry", "size", "from"],
            entries.map((e) => [
              e.name,
              formatBytes(e.size),
              e.source === "(generated)" ? e.source : shown(e.source),
            ]),
          ),
        ].join("\n"),
    );
    return;
  }

  const total = totalSize(plan.entries);
  const progress = await startByteProgress(ctx, `Packaging ${plan.inputs.modelName}`, total);
  const artifact = await writeMarArtifact(plan, {
    force: Boolean(flags.force),
    signal: ctx.signal,
    onBytes: (n) => progress.advance(n),
  }).catch((error) => {
    progress.fail();
    throw error;
  });
  progress.done(`Packaged ${plan.inputs.modelName} ${plan.inputs.version}`);
  const registered = flags.register ? await registerPackaged(artifact.path, rawOptions, ctx) : undefined;
  if (registered) {
    ui.success(
      `${registered.status === "created" ? "pushed to" : "already in"} the registry as ${registered.version.name}:${registered.version.version} (id ${registered.version.id})`,
    );
  }
  ui.result(
    registered ? { ...artifact, registry: { status: registered.status, ...registered.version } } : artifact,
    () => {
      if (ctx.quiet) return artifact.path;
      const rows = artifact.entries.map((e) => [
        e.name,
        formatBytes(e.size),
        formatBytes(e.compressedSize),
        e.method,
      ]);
      return [
        `${shown(artifact.path)}  ${artifact.format}  ${formatBytes(artifact.bytes)}${artifact.sha256 ? `  sha256:${artifact.sha256}` : ""}`,
        formatTable(["entry", "size", "stored", "method"], rows, [1, 2]),
      ].join("\n");
    },
  );
};
