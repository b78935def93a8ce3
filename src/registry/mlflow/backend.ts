import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { MserveError } from "../../errors.js";
import { safeUrl } from "../../http/index.js";
import {
  differentContent,
  noEarlierVersion,
  previousRemoved,
  refuseIfReleased,
  unknownAlias,
  unknownModel,
  unknownVersion,
} from "../errors.js";
import { newId } from "../file/backend.js";
import { sameContent } from "../identity.js";
import { aliasKey, checkAlias, compareVersions } from "../names.js";
import {
  type Actor,
  type AliasEvent,
  ARTIFACT_FORMATS,
  ARTIFACT_KINDS,
  type ArtifactKind,
  type ModelEntry,
  type ModelSummary,
  type ModelVersion,
  type PushInput,
  type PushResult,
  type Registry,
  type ReleaseResult,
  type VerifyProblem,
  type VerifyReport,
} from "../types.js";
import {
  absentOn404,
  MlflowApi,
  type MlflowApiOptions,
  type MlflowModel,
  type MlflowVersion,
} from "./api.js";
import { downloadArtifact, hashRemote } from "./download.js";

const TAG = {
  version: "mserve.version",
  id: "mserve.id",
  sha256: "mserve.sha256",
  size: "mserve.size",
  format: "mserve.format",
  kind: "mserve.kind",
  digest: "mserve.digest",
  target: "mserve.target",
  by: "mserve.created_by",
  at: "mserve.created_at",
} as const;
const EVENT_PREFIX = "mserve.event.";
const EXTENSIONS: Record<string, string> = { mar: ".mar", tgz: ".tar.gz", zip: ".zip", file: "" };
const EXPERIMENT = "mserve-registry";

const tagsOf = (tags: { key: string; value: string }[]) =>
  Object.fromEntries(tags.map((t) => [t.key, t.value]));
const quote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** An MLflow version mserve pushed, as a ModelVersion (others, made by other tools, are skipped). */
function toModelVersion(v: MlflowVersion): (ModelVersion & { mlflowVersion: string }) | undefined {
  const t = tagsOf(v.tags);
  // The hash names the download cache file: anything but 64 hex digits is not mserve's.
  if (!t[TAG.version] || !/^[0-9a-f]{64}$/.test(t[TAG.sha256] ?? "") || !t[TAG.id]) return undefined;
  const user = Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith("mserve.")));
  const target = t[TAG.target] || "any";
  const kind = (ARTIFACT_KINDS as readonly string[]).includes(t[TAG.kind] ?? "")
    ? (t[TAG.kind] as ArtifactKind)
    : target === "torchserve"
      ? "torchserve-archive"
      : "file";
  const digest = /^[0-9a-f]{64}$/.test(t[TAG.digest] ?? "") ? t[TAG.digest] : undefined;
  return {
    id: t[TAG.id] as string,
    name: v.name,
    version: t[TAG.version] as string,
    target,
    kind,
    format: ((ARTIFACT_FORMATS as readonly string[]).includes(t[TAG.format] ?? "")
      ? t[TAG.format]
      : "file") as ModelVersion["format"],
    artifact: {
      uri: v.source,
      sha256: t[TAG.sha256] as string,
      size: Number(t[TAG.size] ?? 0),
      ...(digest ? { digest } : {}),
    },
    createdAt: t[TAG.at] ?? new Date(v.creation_timestamp ?? 0).toISOString(),
    createdBy: t[TAG.by] ?? "",
    ...(v.description ? { description: v.description } : {}),
    tags: user,
    mlflowVersion: v.version,
  };
}

/** When two pushes raced for one mserve version, the lower MLflow version number wins. */
function byMserveVersion(versions: MlflowVersion[]) {
  const map = new Map<string, ModelVersion & { mlflowVersion: string }>();
  for (const v of [...versions].sort((a, b) => Number(a.version) - Number(b.version))) {
    const mv = toModelVersion(v);
    if (mv && !map.has(mv.version)) map.set(mv.version, mv);
  }
  return map;
}

const eventSchema = z.object({
  at: z.string(),
  by: z.string(),
  action: z.enum(["push", "remove", "release", "rollback"]),
  alias: z.string().optional(),
  version: z.string().optional(),
  previous: z.string().optional(),
  reason: z.string().optional(),
});

/**
 * The team registry on an MLflow tracking server: one registered model per name,
 * one MLflow version per mserve version (mserve's version, id and hash as tags),
 * MLflow aliases, and the alias history as registered-model tags (MLflow keeps
 * none). Artifacts go to the run's artifact store through MLflow's proxy.
 */
export class MlflowRegistry implements Registry {
  readonly label: string;
  private readonly api: MlflowApi;

  constructor(private readonly options: MlflowApiOptions & { cacheDir: string }) {
    this.label = safeUrl(options.url);
    this.api = new MlflowApi(options);
  }

  private async versionsOf(name: string) {
    return byMserveVersion(await this.api.searchVersions(`name=${quote(name)}`));
  }

  private entryFrom(
    model: MlflowModel,
    versions: Map<string, ModelVersion & { mlflowVersion: string }>,
  ): ModelEntry {
    const byNumber = new Map([...versions.values()].map((v) => [v.mlflowVersion, v]));
    const events = this.eventsOf(model);
    const aliases: ModelEntry["aliases"] = {};
    for (const a of model.aliases) {
      const v = byNumber.get(a.version);
      if (!v) continue;
      const last = [...events].reverse().find((e) => e.alias === a.alias && e.version === v.version);
      aliases[a.alias] = { version: v.version, at: last?.at ?? "", by: last?.by ?? "" };
    }
    return {
      name: model.name,
      versions: [...versions.values()].map(({ mlflowVersion: _, ...v }) => v),
      aliases,
    };
  }

  private eventsOf(model: MlflowModel): AliasEvent[] {
    return model.tags
      .filter((t) => t.key.startsWith(EVENT_PREFIX))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .flatMap((t, i) => {
        try {
          const parsed = eventSchema.safeParse(JSON.parse(t.value));
          return parsed.success ? [{ seq: i + 1, ...parsed.data }] : [];
        } catch {
          return [];
        }
      });
  }

  /** Event tag keys sort by time, then by a random suffix; concurrent writers never collide. */
  private async record(name: string, event: Omit<AliasEvent, "seq">): Promise<string> {
    const key = `${EVENT_PREFIX}${Date.now().toString().padStart(15, "0")}.${randomBytes(3).toString("hex")}`;
    await this.api.call("POST", "registered-models/set-tag", z.unknown(), {
      body: { name, key, value: JSON.stringify(event) },
    });
    return key;
  }

  /** An event's seq is its place among the model's event tags, as eventsOf numbers them. */
  private async seqOf(name: string, key: string): Promise<number> {
    const model = await this.api.registeredModel(name);
    const keys = (model?.tags ?? [])
      .map((t) => t.key)
      .filter((k) => k.startsWith(EVENT_PREFIX))
      .sort();
    return keys.indexOf(key) + 1;
  }

  async push(input: PushInput, actor: Actor): Promise<PushResult> {
    const existing = (await this.versionsOf(input.name)).get(input.version);
    if (existing) return this.sameOrConflict(existing, input);
    await this.api
      .call("POST", "registered-models/create", z.unknown(), { body: { name: input.name } })
      .catch((error) => {
        if (!(error instanceof MserveError && error.code === "CONFLICT")) throw error;
      });
    const source = await this.uploadArtifact(input);
    const id = newId();
    const createdAt = new Date().toISOString();
    const created = await this.api.call(
      "POST",
      "model-versions/create",
      z.object({ model_version: z.object({ version: z.string() }) }),
      {
        body: {
          name: input.name,
          source: source.uri,
          run_id: source.runId,
          ...(input.description ? { description: input.description } : {}),
          tags: [
            ...Object.entries({
              [TAG.version]: input.version,
              [TAG.id]: id,
              [TAG.sha256]: input.sha256,
              [TAG.size]: String(input.size),
              [TAG.format]: input.format,
              [TAG.kind]: input.kind,
              [TAG.digest]: input.digest,
              [TAG.target]: input.target,
              [TAG.by]: actor.by,
              [TAG.at]: createdAt,
            }),
            ...Object.entries(input.tags),
          ].map(([key, value]) => ({ key, value })),
        },
      },
    );
    // MLflow cannot create "only if absent": re-read, and the lowest MLflow number for this version wins.
    const winner = (await this.versionsOf(input.name)).get(input.version);
    if (winner && winner.mlflowVersion !== created.model_version.version) {
      await this.deleteVersion(input.name, created.model_version.version).catch(() => {});
      return this.sameOrConflict(winner, input);
    }
    await this.record(input.name, {
      at: createdAt,
      by: actor.by,
      action: "push",
      version: input.version,
      reason: actor.reason,
    });
    const { mlflowVersion: _, ...version } = winner as ModelVersion & { mlflowVersion: string };
    return { status: "created", version, storedBytes: input.size };
  }

  private sameOrConflict(existing: ModelVersion & { mlflowVersion: string }, input: PushInput): PushResult {
    const { mlflowVersion: _, ...version } = existing;
    if (sameContent(existing, input)) return { status: "unchanged", version, storedBytes: 0 };
    throw differentContent(input, existing);
  }

  /** A run in the mserve experiment holds the artifact; MLflow requires the source to be inside a run. */
  private async uploadArtifact(input: PushInput): Promise<{ uri: string; runId: string }> {
    const experimentId = await this.experimentId();
    const run = await this.api.call(
      "POST",
      "runs/create",
      z.object({ run: z.object({ info: z.object({ run_id: z.string(), artifact_uri: z.string() }) }) }),
      {
        body: {
          experiment_id: experimentId,
          run_name: `${input.name}:${input.version}`,
          start_time: Date.now(),
        },
      },
    );
    const { run_id: runId, artifact_uri: root } = run.run.info;
    const file = `${input.name}-${input.version}${EXTENSIONS[input.format] ?? ""}`;
    const uri = `${root.replace(/\/+$/, "")}/mserve/${file}`;
    if (root.startsWith("mlflow-artifacts:")) {
      const path = root.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, "").replace(/^\/+/, "");
      await this.api.upload(
        `${this.options.url}/api/2.0/mlflow-artifacts/artifacts/${path}/mserve/${encodeURIComponent(file)}`,
        createReadStream(input.path),
        input.size,
      );
    } else if (root.startsWith("file:") || isAbsolute(root)) {
      // The server stores artifacts in a folder; that only works when this machine sees the same folder.
      const target = root.startsWith("file:") ? fileURLToPath(uri) : uri;
      await mkdir(dirname(target), { recursive: true });
      await copyFile(input.path, target);
    } else {
      throw new MserveError("INVALID_INPUT", `mserve cannot upload to the MLflow artifact store ${root}`, {
        hint: "Start the MLflow server with artifact proxying (the default; --artifacts-destination s3://… works) so uploads go through it.",
      });
    }
    await this.api.call("POST", "runs/update", z.unknown(), {
      body: { run_id: runId, status: "FINISHED", end_time: Date.now() },
    });
    return { uri, runId };
  }

  private async experimentId(): Promise<string> {
    const schema = z.object({ experiment: z.object({ experiment_id: z.string() }) });
    const found = await this.api
      .call("GET", "experiments/get-by-name", schema, { query: { experiment_name: EXPERIMENT } })
      .catch(absentOn404);
    if (found) return found.experiment.experiment_id;
    try {
      return (
        await this.api.call("POST", "experiments/create", z.object({ experiment_id: z.string() }), {
          body: { name: EXPERIMENT },
        })
      ).experiment_id;
    } catch (error) {
      if (!(error instanceof MserveError && error.code === "CONFLICT")) throw error;
      return (
        await this.api.call("GET", "experiments/get-by-name", schema, {
          query: { experiment_name: EXPERIMENT },
        })
      ).experiment.experiment_id;
    }
  }

  async models(): Promise<ModelSummary[]> {
    const out: ModelSummary[] = [];
    for (const m of (await this.api.searchModels()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const entry = this.entryFrom(m, await this.versionsOf(m.name));
      if (entry.versions.length === 0) continue;
      const versions = entry.versions.map((v) => v.version).sort(compareVersions);
      out.push({
        name: m.name,
        versions: versions.length,
        latest: versions[versions.length - 1],
        aliases: Object.fromEntries(Object.entries(entry.aliases).map(([a, s]) => [a, s.version])),
        updatedAt: m.last_updated_timestamp ? new Date(m.last_updated_timestamp).toISOString() : undefined,
      });
    }
    return out;
  }

  async model(name: string): Promise<ModelEntry | undefined> {
    const model = await this.api.registeredModel(name);
    if (!model) return undefined;
    const entry = this.entryFrom(model, await this.versionsOf(name));
    return entry.versions.length > 0 ? entry : undefined;
  }

  async findById(id: string): Promise<ModelVersion | undefined> {
    const [hit] = await this.api.searchVersions(`tags.\`${TAG.id}\` = ${quote(id)}`);
    const mv = hit && toModelVersion(hit);
    if (!mv) return undefined;
    const { mlflowVersion: _, ...version } = mv;
    return version;
  }

  private async requireEntry(name: string) {
    const model = await this.api.registeredModel(name);
    const versions = model ? await this.versionsOf(name) : new Map();
    if (!model || versions.size === 0)
      throw unknownModel(
        name,
        (await this.api.searchModels()).map((m) => m.name),
      );
    return { model, versions, entry: this.entryFrom(model, versions) };
  }

  async release(name: string, version: string, alias: string, actor: Actor): Promise<ReleaseResult> {
    checkAlias(alias);
    const { versions, entry } = await this.requireEntry(name);
    const target = versions.get(version);
    if (!target) throw unknownVersion(name, version, [...versions.keys()]);
    // PROD and prod are one alias, kept in the case it was first written in.
    const key = aliasKey(entry.aliases, alias) ?? alias;
    const previous = entry.aliases[key]?.version;
    if (previous === version) return { changed: false, alias: key, version };
    const event = {
      at: new Date().toISOString(),
      by: actor.by,
      action: "release" as const,
      alias: key,
      version,
      previous,
      reason: actor.reason,
    };
    await this.api.call("POST", "registered-models/alias", z.unknown(), {
      body: { name, alias: key, version: target.mlflowVersion },
    });
    const seq = await this.seqOf(name, await this.record(name, event));
    return {
      changed: true,
      alias: key,
      version,
      ...(previous ? { previous } : {}),
      event: { seq, ...event },
    };
  }

  async rollback(name: string, alias: string, actor: Actor): Promise<AliasEvent> {
    checkAlias(alias);
    const { model, versions, entry } = await this.requireEntry(name);
    const key = aliasKey(entry.aliases, alias);
    const current = key === undefined ? undefined : entry.aliases[key];
    if (!current || key === undefined) throw unknownAlias(name, alias, Object.keys(entry.aliases));
    alias = key;
    const last = [...this.eventsOf(model)]
      .reverse()
      .find((e) => e.alias === alias && e.version === current.version);
    const target = last?.previous ? versions.get(last.previous) : undefined;
    if (!last?.previous) throw noEarlierVersion(name, alias);
    if (!target) throw previousRemoved(name, last.previous, alias);
    await this.api.call("POST", "registered-models/alias", z.unknown(), {
      body: { name, alias, version: target.mlflowVersion },
    });
    const event = {
      at: new Date().toISOString(),
      by: actor.by,
      action: "rollback" as const,
      alias,
      version: target.version,
      previous: current.version,
      reason: actor.reason,
    };
    await this.record(name, event);
    return { seq: 0, ...event };
  }

  async remove(name: string, version: string, actor: Actor): Promise<ModelVersion> {
    const { versions, entry } = await this.requireEntry(name);
    const found = versions.get(version);
    if (!found) throw unknownVersion(name, version, [...versions.keys()]);
    refuseIfReleased(name, version, entry.aliases);
    await this.deleteVersion(name, found.mlflowVersion);
    await this.record(name, {
      at: new Date().toISOString(),
      by: actor.by,
      action: "remove",
      version,
      reason: actor.reason,
    });
    const { mlflowVersion: _, ...removed } = found;
    return removed;
  }

  private deleteVersion(name: string, mlflowVersion: string) {
    return this.api.call("DELETE", "model-versions/delete", z.unknown(), {
      body: { name, version: mlflowVersion },
    });
  }

  async *history(name: string, alias?: string): AsyncGenerator<AliasEvent> {
    const { model, entry } = await this.requireEntry(name);
    const events = this.eventsOf(model);
    const same = (a: string | undefined) => alias === undefined || a?.toLowerCase() === alias.toLowerCase();
    if (alias !== undefined && !events.some((e) => same(e.alias)))
      throw unknownAlias(name, alias, Object.keys(entry.aliases));
    for (const e of events) if (same(e.alias)) yield e;
  }

  async verify(): Promise<VerifyReport> {
    const problems: VerifyProblem[] = [];
    let checked = 0;
    for (const m of await this.api.searchModels()) {
      for (const v of (await this.versionsOf(m.name)).values()) {
        checked++;
        const subject = `${v.name}:${v.version}`;
        const actual = await hashRemote(this.api, this.options.url, v.artifact.uri).catch((error: Error) => {
          // A server that is down or refuses the token is not a missing artifact.
          if (error instanceof MserveError && !["NOT_FOUND", "INVALID_INPUT"].includes(error.code))
            throw error;
          return error;
        });
        if (actual instanceof Error) {
          problems.push({
            kind: "missing",
            subject,
            message: `artifact ${v.artifact.uri}: ${actual.message}`,
            fix: `push it again, or mserve registry rm ${subject}`,
          });
        } else if (actual !== v.artifact.sha256) {
          problems.push({
            kind: "corrupt",
            subject,
            message: `artifact ${v.artifact.uri} does not match sha256 ${v.artifact.sha256.slice(0, 12)}…`,
            fix: `mserve registry rm ${subject}, then push it again`,
          });
        }
      }
    }
    return { checked, problems, leftovers: [], pruned: [] };
  }

  location(version: ModelVersion): string {
    return version.artifact.uri;
  }

  async localArtifact(version: ModelVersion, signal?: AbortSignal): Promise<string> {
    return downloadArtifact(
      this.api,
      this.options.url,
      version,
      join(this.options.cacheDir, version.artifact.sha256.slice(0, 2)),
      signal,
    );
  }

  close = () => this.api.close();
}
