import { join, resolve } from "node:path";
import { usageError } from "../../errors.js";
import { v2Predictor } from "../../protocols/v2/predictor.js";
import { formatDuration } from "../../ui/format.js";
import { lines } from "../../ui/view.js";
import type { Target } from "../target.js";
import { connectMlserver, type MlserverConnection } from "./connect.js";

// Packaging, validation, deploying, serving, init and doctor load their modules when used.

export const mlserverTarget: Target<MlserverConnection> = {
  id: "mlserver",

  connect: connectMlserver,

  async init({ dir, template, name }) {
    const [{ planInit }, { MLSERVER_TEMPLATES }] = await Promise.all([
      import("../../scaffold/init-project.js"),
      import("./templates.js"),
    ]);
    return planInit({ dir, template, name, files: MLSERVER_TEMPLATES[template] ?? [] });
  },

  async package({ project, options, dryRun }, hooks) {
    const [{ planMlserverPackage, writeMlserverPackage, settingsText }, { packagedView, shownPath }] =
      await Promise.all([import("./package.js"), import("./views.js")]);
    const plan = await planMlserverPackage(project, options, hooks.cwd);
    if (dryRun)
      return {
        data: plan,
        view: {
          blocks: [
            lines(
              `${shownPath(hooks.cwd, join(plan.dir, "model-settings.json"))}:`,
              settingsText(plan.settings).trimEnd(),
              `${plan.name}/${plan.version}/: ${plan.files.map((f) => f.name).join(", ")}`,
            ),
          ],
        },
      };
    const result = await writeMlserverPackage(plan, { force: Boolean(options.force) });
    // The registry holds files: --register gets the version folder zipped, NAME-VERSION.zip under --export-path.
    let artifact: { path: string; name: string; version: string } | undefined;
    if (options.register) {
      const [{ zipVersion }, { mkdir }] = await Promise.all([
        import("./artifact.js"),
        import("node:fs/promises"),
      ]);
      const out = resolve(hooks.cwd, (options.exportPath as string | undefined) ?? ".");
      await mkdir(out, { recursive: true });
      artifact = {
        path: join(out, `${result.model}-${result.version}.zip`),
        name: result.model,
        version: result.version,
      };
      await zipVersion(result.path, artifact.path);
    }
    return {
      data: { ...result, ...(artifact ? { artifact: artifact.path } : {}) },
      view: packagedView(result, hooks.cwd),
      summary: `${result.model}:${result.version} packaged for MLServer`,
      ...(artifact ? { artifact } : {}),
    };
  },

  validator: {
    detect: async (path, cwd) =>
      Boolean(await (await import("./validate.js")).detectMlserver(resolve(cwd, path))),
    async validate(path, cwd, options, env) {
      const [{ validateMlserver }, { locateMlserver, runtimeCheckFor }, { installOf }, { readRecord }] =
        await Promise.all([
          import("./validate.js"),
          import("./locate.js"),
          import("./connect.js"),
          import("../../runtime/records.js"),
        ]);
      // The runtimes are checked where the model will run: --server's install, else the mlserver `serve` would start.
      const server = options.server as string | undefined;
      const record = server ? await readRecord(env, server) : undefined;
      if (record && record.target !== "mlserver")
        throw usageError(
          `${server} is a ${record.target} server, not MLServer`,
          "Name a server `mserve ps` lists as mlserver.",
        );
      const check = record
        ? runtimeCheckFor(installOf(record), `server ${server}`)
        : runtimeCheckFor(locateMlserver(env, cwd), "the local mlserver");
      return { ...(await validateMlserver(path, cwd, check)) };
    },
    fix: "Fix the errors above; `mserve package --target mlserver` writes model-settings.json MLServer accepts.",
  },

  serve: {
    defaultName: "mlserver",
    plan: async (...args) => (await import("./serve.js")).mlserverServe.plan(...args),
  },

  async deploy(connection, { source, options, timeoutMs }, hooks) {
    const [{ deployMlserver }, { planMlserverPackage, writeMlserverPackage }, { deployedView }] =
      await Promise.all([import("./deploy.js"), import("./package.js"), import("./views.js")]);
    let modelDir: string;
    let cleanup: (() => Promise<void>) | undefined;
    if (source.kind === "registry") {
      // What `package --target mlserver --register` pushed: the version folder, zipped.
      const { unzipVersion } = await import("./artifact.js");
      const unpacked = await unzipVersion(source.path, source.model, hooks.signal);
      modelDir = unpacked.dir;
      cleanup = unpacked.done;
    } else if (source.kind === "path") modelDir = source.path;
    else {
      // No artifact named: package mserve.yaml straight into the server's repository.
      const plan = await planMlserverPackage(
        source.project,
        { ...options, ...(connection.repository ? { repository: connection.repository } : {}) },
        hooks.cwd,
      );
      hooks.step(`packaging ${plan.name} version ${plan.version}`);
      await writeMlserverPackage(plan, { force: Boolean(options.replace) });
      modelDir = plan.dir;
    }
    const done = await deployMlserver(connection, modelDir, {
      replace: Boolean(options.replace),
      wait: options.wait !== false,
      timeoutMs,
      signal: hooks.signal,
      onStep: hooks.step,
      ...(source.kind === "registry"
        ? { expect: { name: source.model.name, version: source.model.version }, id: source.model.id }
        : {}),
    }).finally(() => cleanup?.());
    return {
      data: done,
      view: deployedView(done),
      summary: `${done.name} (versions ${done.versions.join(", ")}) READY on ${done.server} (${formatDuration(done.timings.totalMs)})`,
    };
  },

  async models({ client }, { ref }) {
    const name = ref?.name;
    const index = (await client.index()).filter(
      (e) => (!name || e.name === name) && (!ref?.version || e.version === ref.version),
    );
    const metadata =
      name && index.some((e) => e.state === "READY") ? await client.metadata(name, ref?.version) : undefined;
    const { modelsView } = await import("./views.js");
    return {
      data: { models: index, ...(metadata ? { metadata } : {}) },
      view: modelsView(index, name, metadata),
    };
  },

  async unregister(connection, { ref }, hooks) {
    if (!ref.version) {
      await hooks.confirm(`unload ${ref.name} (every version) from ${connection.label}`);
      await connection.client.unload(ref.name);
      return {
        data: { name: ref.name, unloaded: true },
        view: { blocks: [lines(`unloaded ${ref.name}`)] },
      };
    }
    // One version: take its folder out of the repository, then load again: MLServer unloads versions no longer there.
    const { unregisterVersion } = await import("./unregister.js");
    await hooks.confirm(`remove ${ref.name}:${ref.version} from ${connection.label}`);
    const done = await unregisterVersion(connection, ref.name, ref.version);
    return {
      data: done,
      view: {
        blocks: [
          lines(
            `removed ${ref.name}:${ref.version}${done.remaining.length ? ` (still served: ${done.remaining.join(", ")})` : ""}`,
          ),
        ],
      },
    };
  },

  async predictor({ client }, request) {
    // Models packaged without inputs in model-settings.json have none in their metadata: --data is sent as "input-0".
    return v2Predictor(client, {
      name: request.name,
      version: request.version,
      cwd: request.cwd,
      untypedInput: "input-0",
    });
  },

  artifact: {
    detect: async (request) => (await import("./registry-artifact.js")).mlserverArtifacts.detect(request),
    describe: async (request) => (await import("./registry-artifact.js")).mlserverArtifacts.describe(request),
  },
  held: async (connection, ref) => (await import("./held.js")).heldOnMlserver(connection, ref),
  place: async (connection, request, hooks) =>
    (await import("./held.js")).placeOnMlserver(connection, request, hooks),

  async doctor(d) {
    return (await import("./doctor.js")).mlserverDoctor(d);
  },
};
