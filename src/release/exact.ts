import { sha256File } from "../archive/hash.js";
import { MserveError } from "../errors.js";
import { heldIs, identityOf } from "../registry/identity.js";
import type { ModelVersion, Registry } from "../registry/types.js";
import type { Held, Hooks, Target, TargetConnection } from "../targets/target.js";

/**
 * Exact releases: a reference resolved in the registry names one artifact
 * (name, version, digest), and a command that reaches a server with it checks
 * the server holds that very artifact for that version. A server holding other
 * bytes under the version number never answers in its place.
 */

/** How to name the release in a fix: the alias when the user gave one. */
const releaseRef = (model: ModelVersion, alias?: string) =>
  alias ? `${model.name}@${alias}` : `${model.name}:${model.version}`;

export function heldMismatch(
  model: ModelVersion,
  held: Extract<Held, { present: true }>,
  where: { label: string; server: string; alias?: string },
): MserveError {
  const expected = identityOf(model);
  const heldText = held.digest
    ? `digest ${held.digest}`
    : `an artifact mserve did not place${held.from ? ` (${held.from})` : ""}, so its digest is unknown`;
  return new MserveError(
    "CONFLICT",
    `${where.label} is ${model.name}:${model.version} with digest ${expected}, but ${where.server} holds ${model.name}:${model.version} from a different artifact: ${heldText}`,
    {
      hint: `Put the released artifact on the server: mserve deploy ${releaseRef(model, where.alias)} --replace`,
      details: { name: model.name, version: model.version, expected, held: held.digest ?? null },
    },
  );
}

export interface ExactRequest {
  model: ModelVersion;
  /** How the user named it: "intent@PROD". */
  label: string;
  alias?: string;
}

/** "absent" or "same"; a different artifact under the version is exit 5 with both digests. */
export async function checkExact(
  adapter: Target,
  connection: TargetConnection,
  request: ExactRequest,
): Promise<"absent" | "same"> {
  if (!adapter.held) return "same";
  const { model } = request;
  const held = await adapter.held(connection, { name: model.name, version: model.version });
  if (!held.present) return "absent";
  if (held.digest && heldIs(model, held.digest)) return "same";
  throw heldMismatch(model, held, { label: request.label, server: connection.label, alias: request.alias });
}

export interface EnsureRequest extends ExactRequest {
  registry: Registry;
  autoRegister: boolean;
  timeoutMs: number;
}

/**
 * The sidecar step of design.md §7, the same on every target: the version the
 * reference resolves to is on the server (exactly), or it is fetched from the
 * registry, its sha256 checked, placed, and awaited until it answers.
 */
export async function ensureExact(
  adapter: Target,
  connection: TargetConnection,
  request: EnsureRequest,
  hooks: Hooks,
): Promise<{ registered: boolean }> {
  if ((await checkExact(adapter, connection, request)) === "same") return { registered: false };
  const { model } = request;
  const ref = `${model.name}:${model.version}`;
  if (!request.autoRegister || !adapter.place) {
    throw new MserveError(
      "NOT_FOUND",
      `${request.label} resolves to ${ref}, which is not on ${connection.label}`,
      {
        hint: `Deploy it (mserve deploy ${releaseRef(model, request.alias)}${adapter.place ? "" : ` --target ${adapter.id}`})${adapter.place ? " or drop --no-auto-register to let predict do it" : ""}.`,
      },
    );
  }
  hooks.step(`${ref} is not on ${connection.label}; placing it from the registry`);
  const archive = await request.registry.localArtifact(model, hooks.signal);
  const actual = await sha256File(archive);
  if (actual !== model.artifact.sha256) {
    throw new MserveError(
      "INVALID_INPUT",
      `the artifact of ${ref} is corrupt: sha256 ${actual.slice(0, 12)}…, the registry recorded ${model.artifact.sha256.slice(0, 12)}…`,
      { hint: "Nothing was placed. Run `mserve registry verify`, then push the artifact again." },
    );
  }
  try {
    await adapter.place(connection, { archive, model, replace: false, timeoutMs: request.timeoutMs }, hooks);
  } catch (error) {
    // Another predict placed it at the same moment: fine, as long as it is this artifact.
    if (error instanceof MserveError && error.code === "CONFLICT") {
      if ((await checkExact(adapter, connection, request)) === "same") return { registered: false };
    }
    throw error;
  }
  return { registered: true };
}
