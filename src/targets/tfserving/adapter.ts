import { resolve } from "node:path";
import type { LoadedProject } from "../../config/project.js";
import { usageError } from "../../errors.js";
import type { Servable } from "../../protocols/v1/client.js";
import { v1Predictor } from "../../protocols/v1/predictor.js";
import { formatDuration } from "../../ui/format.js";
import { lines, table } from "../../ui/view.js";
import type { Flags, Target } from "../target.js";
import { connectTfServing, type TfServingConnection } from "./connect.js";
import { policyText, type TfServingSection } from "./project-section.js";

// Packaging, validation, deploying, serving and doctor load their modules when used.

interface Placement {
  savedModel?: string;
  name?: string;
  version?: string;
  versionPolicy?: string;
  labels: Record<string, string>;
  base?: string;
}

/** `--label stable=2`, repeatable; mserve.yaml's labels under them. */
function labelsOf(flags: Flags, section: TfServingSection): Record<string, string> {
  const labels: Record<string, string> = { ...(section.labels ?? {}) };
  for (const pair of (flags.label as string[] | undefined) ?? []) {
    const m = /^([A-Za-z][\w-]*)=([1-9][0-9]*)$/.exec(pair);
    if (!m)
      throw usageError(`invalid --label "${pair}"`, "Write --label NAME=VERSION, e.g. --label stable=2.");
    labels[m[1] as string] = m[2] as string;
  }
  return labels;
}

/** What to place and how to serve it: flags over mserve.yaml's `targets.tfserving` over its top level. */
function placement(
  flags: Flags,
  project: LoadedProject | undefined,
  cwd: string,
  version?: string,
): Placement {
  const section = (project?.config.targets?.tfserving ?? {}) as TfServingSection;
  const fromProject = (value: string | undefined) =>
    value ? resolve(project?.dir ?? cwd, value) : undefined;
  return {
    savedModel: fromProject(section["saved-model"]),
    name: (flags.modelName as string | undefined) ?? project?.config.name,
    version: version ?? project?.config.version,
    versionPolicy: (flags.versionPolicy as string | undefined) ?? policyText(section["version-policy"]),
    labels: labelsOf(flags, section),
    base: flags.base ? resolve(cwd, flags.base as string) : fromProject(section.base),
  };
}

export const tfservingTarget: Target<TfServingConnection> = {
  id: "tfserving",

  connect: connectTfServing,

  async package({ project, options }, hooks) {
    const [{ packageTfServing }, { shownPath, packagedView }] = await Promise.all([
      import("./package.js"),
      import("./views.js"),
    ]);
    const p = placement(options, project, hooks.cwd, options.version as string | undefined);
    const savedModel = options.savedModel ? resolve(hooks.cwd, options.savedModel as string) : p.savedModel;
    if (!savedModel || !p.name || !p.version) {
      throw usageError(
        "package --target tfserving needs --saved-model, --model-name and -v/--version",
        "e.g. mserve package --target tfserving --saved-model export/ --model-name intent -v 3 --base models",
      );
    }
    const result = await packageTfServing({
      savedModel,
      name: p.name,
      version: p.version,
      base: p.base ?? resolve(hooks.cwd, "models"),
      versionPolicy: p.versionPolicy,
      labels: p.labels,
      force: Boolean(options.force),
    });
    return {
      data: result,
      view: packagedView(result, (path) => shownPath(hooks.cwd, path)),
      // --register stores the placed version folder as a deterministic tar (registry-artifact.ts).
      artifact: { path: result.path, name: result.model, version: result.version },
    };
  },

  validator: {
    detect: async (path, cwd) =>
      Boolean(await (await import("./validate.js")).detectTfServing(resolve(cwd, path))),
    validate: async (path, cwd) => ({
      ...(await (await import("./validate.js")).validateTfServing(path, cwd)),
    }),
    fix: "Fix the errors above; `mserve package --target tfserving` keeps models.config consistent.",
    async inspect(path, cwd) {
      const [{ inspectTfServing }, { inspectView, shownPath }] = await Promise.all([
        import("./validate.js"),
        import("./views.js"),
      ]);
      const report = await inspectTfServing(path, cwd);
      return { data: report, view: inspectView(report, (p) => shownPath(cwd, p)) };
    },
  },

  serve: {
    defaultName: "tfserving",
    plan: async (...args) => (await import("./serve-adapter.js")).tfservingServe.plan(...args),
  },

  async deploy(connection, { source, options, timeoutMs }, hooks) {
    const { deployTfServing } = await import("./deploy.js");
    if (source.kind === "registry") {
      const { placeOnTfServing } = await import("./placement.js");
      return placeOnTfServing(
        connection,
        { archive: source.path, model: source.model, replace: Boolean(options.replace), timeoutMs },
        hooks,
      );
    }
    const p = placement(
      options,
      source.kind === "project" ? source.project : undefined,
      hooks.cwd,
      options.modelVersion as string | undefined,
    );
    const savedModel = source.kind === "path" ? source.path : p.savedModel;
    if (!savedModel || !p.name || !p.version) {
      throw usageError(
        "deploy --target tfserving needs a SavedModel folder, --model-name and --model-version",
        "e.g. mserve deploy --target tfserving export/ --model-name linear --model-version 2",
      );
    }
    const { waitedMs, ...placed } = await deployTfServing(connection, {
      savedModel,
      name: p.name,
      version: p.version,
      versionPolicy: p.versionPolicy,
      labels: p.labels,
      force: Boolean(options.replace),
      timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
    });
    return {
      data: placed,
      summary: `${p.name}:${p.version} AVAILABLE on ${connection.label} (${formatDuration(waitedMs)})`,
      view: {
        quiet: `${placed.model}:${placed.version}`,
        blocks: [
          lines(
            `${placed.model}:${placed.version}  ${placed.state}  on ${placed.server}`,
            `  path    ${placed.path}`,
            `  served  ${placed.served.join(", ")}`,
          ),
        ],
      },
    };
  },

  async models(connection, { ref }) {
    const { modelStates } = await import("./deploy.js");
    const rows = await modelStates(connection, ref ? [ref.name] : undefined);
    return {
      data: { models: rows },
      view: {
        blocks: [
          rows.length === 0
            ? lines("no models (deploy one with `mserve deploy --target tfserving`)")
            : table(
                ["NAME", "VERSION", "STATE", "ERROR"],
                rows.map((r) => [r.name, r.version, r.state, r.error ?? ""]),
              ),
        ],
      },
    };
  },

  async predictor({ client }, request) {
    // A number is a version; anything else (and a label the registry does not know) is one of TF Serving's labels.
    const word = request.serverLabel ?? request.version;
    const servable: Servable = request.serverLabel
      ? { label: request.serverLabel }
      : word
        ? /^\d+$/.test(word)
          ? { version: word }
          : { label: word }
        : {};
    return v1Predictor(client, {
      name: request.name,
      servable,
      cwd: request.cwd,
      textAsInstance: false,
      async describe() {
        const states = await client.status(request.name, servable);
        const available = states.filter((s) => s.state === "AVAILABLE").map((s) => Number(s.version));
        return available.length ? { version: String(Math.max(...available)) } : {};
      },
    });
  },

  async release({ name, version, alias, options, cwd }) {
    const { moveVersionLabel } = await import("./labels.js");
    const { undo, ...moved } = await moveVersionLabel(
      resolve(cwd, (options.base as string | undefined) ?? "models"),
      name,
      alias,
      version,
    );
    return {
      data: moved,
      undo,
      view: {
        blocks: [
          lines(
            `${moved.name}@${moved.label} → ${moved.version}${moved.previous !== undefined ? ` (was ${moved.previous})` : ""} in ${moved.modelsConfig}`,
          ),
        ],
      },
    };
  },

  artifact: {
    detect: async (request) => (await import("./registry-artifact.js")).tfservingArtifacts.detect(request),
    describe: async (request) =>
      (await import("./registry-artifact.js")).tfservingArtifacts.describe(request),
  },
  held: async (connection, ref) => (await import("./placement.js")).heldOnTfServing(connection, ref),
  place: async (connection, request, hooks) =>
    (await import("./placement.js")).placeOnTfServing(connection, request, hooks),

  async doctor(d) {
    return (await import("./doctor.js")).tfservingDoctor(d);
  },
};
