import { invalidInput } from "../errors.js";
import { unknownId, unknownModel } from "../registry/errors.js";
import { aliasKey } from "../registry/names.js";
import { formatSpec, parseRef, type RefSpec, resolveInEntry } from "../registry/resolve.js";
import type { ModelVersion, Registry } from "../registry/types.js";
import type { Target, TargetConnection } from "../targets/target.js";

/** What a predict goes to: a registry version (auto-registered if needed) or a plain server version. */
export interface PredictTarget {
  name: string;
  /** Absent: the server's default version. */
  version?: string;
  alias?: string;
  model?: ModelVersion;
  /** As the user wrote it. */
  label: string;
  /** Named by alias or id: only the registry knows it (a version number is also the server's own). */
  registryOnly?: boolean;
}

/**
 * Resolves once per invocation. A bare name is the server's default version, as
 * in TorchServe; `name:v` and `name v` fall back to the server when the registry
 * does not know them, so models deployed without the registry keep working;
 * aliases and ids exist only in the registry.
 */
export async function resolvePredictTarget(
  spec: RefSpec,
  registry: () => Promise<Registry>,
): Promise<PredictTarget> {
  const label = formatSpec(spec);
  if (spec.kind === "name") return { name: spec.name, label };
  const reg = await registry();
  if (spec.kind === "id") {
    const model = await reg.findById(spec.id);
    if (!model) throw unknownId(spec.id, []);
    return { name: model.name, version: model.version, model, label, registryOnly: true };
  }
  const entry = await reg.model(spec.name);
  if (!entry) {
    if (spec.kind === "alias")
      throw unknownModel(
        spec.name,
        (await reg.models()).map((m) => m.name),
      );
    return { name: spec.name, version: spec.kind === "pair" ? spec.word : spec.version, label };
  }
  const known = (word: string) =>
    aliasKey(entry.aliases, word) !== undefined || entry.versions.some((v) => v.version === word);
  if (spec.kind === "version" && !known(spec.version))
    return { name: spec.name, version: spec.version, label };
  if (spec.kind === "pair" && !known(spec.word)) return { name: spec.name, version: spec.word, label };
  const resolved = resolveInEntry(entry, spec);
  return {
    name: resolved.name,
    version: resolved.version,
    alias: resolved.alias,
    model: resolved.model,
    label,
    ...(resolved.alias ? { registryOnly: true } : {}),
  };
}

/**
 * A registry version made for another server (a TorchServe archive, asked of
 * Triton) cannot be what this one serves. A version number then means the
 * server's own version, as for a version the registry does not know; an alias or
 * id names only that artifact, so asking another server for it is exit 3.
 */
export function onTarget(named: PredictTarget, targetId: string): PredictTarget {
  const model = named.model;
  if (!model || model.target === "any" || model.target === targetId) return named;
  if (named.registryOnly)
    throw invalidInput(
      `${named.label} is ${model.name}:${model.version}, a ${model.kind} for ${model.target}, which ${targetId} cannot serve`,
      `Ask the server it was made for (--target ${model.target}), or release a ${targetId} version.`,
    );
  const { model: _, alias: __, ...own } = named;
  return own;
}

/**
 * A model named on the command line of a server command (models, bench,
 * predict): `intent`, `intent:3`, `intent@PROD`, `intent PROD` or `--id`. The
 * registry is opened only when the reference needs it, and closed before the
 * server is contacted.
 */
export async function resolveNamedModel(
  args: (string | undefined)[],
  flags: { id?: string; registry?: string },
  where: { env: NodeJS.ProcessEnv; cwd: string; signal: AbortSignal },
): Promise<PredictTarget> {
  const spec = parseRef(args[0], args[1], flags.id);
  let registry: Registry | undefined;
  try {
    return await resolvePredictTarget(spec, async () => {
      const { openRegistry } = await import("../registry/open.js");
      registry ??= await openRegistry({
        env: where.env,
        cwd: where.cwd,
        signal: where.signal,
        flag: flags.registry,
      });
      return registry;
    });
  } finally {
    await registry?.close();
  }
}

/**
 * A registry version named to a command that does not place it (models,
 * bench): a different artifact on the server under its version is exit 5.
 */
export async function exactly(
  adapter: Target,
  connection: TargetConnection,
  named: PredictTarget,
): Promise<void> {
  const own = onTarget(named, adapter.id);
  if (!own.model || !adapter.held) return;
  const { checkExact } = await import("../release/exact.js");
  await checkExact(adapter, connection, {
    model: own.model,
    label: own.label,
    ...(own.alias ? { alias: own.alias } : {}),
  });
}
