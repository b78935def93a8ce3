/**
 * What a stored artifact is, recorded per version: a TorchServe archive (.mar,
 * or .tar.gz, which a no-archive folder is stored as), a Triton model version
 * (config.pbtxt plus one version folder) or a TF SavedModel version, both as
 * deterministic tars, an MLServer version folder (zipped), or any other file.
 */
export const ARTIFACT_KINDS = [
  "torchserve-archive",
  "triton-version",
  "tf-savedmodel",
  "mlserver-version",
  "file",
] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];
export const ARTIFACT_FORMATS = ["mar", "tgz", "zip", "file"] as const;
export type ArtifactFormat = (typeof ARTIFACT_FORMATS)[number];

/** One registered model version (design.md §6). */
export interface ModelVersion {
  /** Short, unique, stable: `--id` and the prediction log use it. */
  id: string;
  name: string;
  version: string;
  /** Which server can load the artifact: a target id, or "any" when mserve could not tell. */
  target: string;
  kind: ArtifactKind;
  /** How the bytes are wrapped (the stored file's extension follows it). */
  format: ArtifactFormat;
  /**
   * sha256 of the stored bytes (checked on every download), and the content
   * digest (archive/content-digest.ts): what identifies the version for deploys
   * and pushes. Versions pushed before digests existed have none; their sha256 stands in.
   */
  artifact: { uri: string; sha256: string; size: number; digest?: string };
  createdAt: string;
  createdBy: string;
  source?: string;
  description?: string;
  tags: Record<string, string>;
}

/** Where an alias points now; its full history is kept separately, append-only. */
export interface AliasState {
  version: string;
  at: string;
  by: string;
  /** Where it pointed before its last move: what `rollback` returns to. */
  previous?: string;
}

export interface AliasEvent {
  /** Per-model sequence number; orders events and detects uncommitted ones after a crash. */
  seq: number;
  at: string;
  by: string;
  action: "push" | "remove" | "release" | "rollback";
  /** Set for release and rollback. */
  alias?: string;
  version?: string;
  previous?: string;
  reason?: string;
}

export interface ModelEntry {
  name: string;
  versions: ModelVersion[];
  aliases: Record<string, AliasState>;
}

export interface ModelSummary {
  name: string;
  versions: number;
  latest?: string;
  aliases: Record<string, string>;
  updatedAt?: string;
}

export interface PushInput {
  /** A local file; it is copied into the registry's content-addressed store. */
  path: string;
  name: string;
  version: string;
  target: ModelVersion["target"];
  kind: ArtifactKind;
  format: ArtifactFormat;
  sha256: string;
  size: number;
  digest: string;
  description?: string;
  tags: Record<string, string>;
  source?: string;
}

export interface PushResult {
  status: "created" | "unchanged";
  version: ModelVersion;
  /** Bytes newly stored; 0 when the same content was already there. */
  storedBytes: number;
}

export interface VerifyProblem {
  kind: "missing" | "corrupt" | "orphan" | "unreadable";
  /** name:version, or the blob / file path for orphans. */
  subject: string;
  message: string;
  fix: string;
}

export interface VerifyReport {
  checked: number;
  /** Missing or corrupt artifacts, damaged files: exit 3. */
  problems: VerifyProblem[];
  /** Leftovers of interrupted pushes or removed versions: harmless, removable. */
  leftovers: VerifyProblem[];
  pruned: string[];
}

export interface ReleaseResult {
  changed: boolean;
  /** The alias as stored (the case it was first written in). */
  alias: string;
  version: string;
  previous?: string;
  /** The recorded event; only when something changed. */
  event?: AliasEvent;
}

export interface Actor {
  by: string;
  reason?: string;
}

/** What every backend provides; commands and predict only see this. */
export interface Registry {
  /** "file:/home/u/.mserve/registry" or the MLflow URL, for messages. */
  readonly label: string;
  push(input: PushInput, actor: Actor): Promise<PushResult>;
  models(): Promise<ModelSummary[]>;
  model(name: string): Promise<ModelEntry | undefined>;
  findById(id: string): Promise<ModelVersion | undefined>;
  /**
   * Aliases match case-insensitively and keep the case they were first written
   * in. `changed` is false when the alias already pointed at that version: nothing
   * is recorded, so there is no event.
   */
  release(name: string, version: string, alias: string, actor: Actor): Promise<ReleaseResult>;
  rollback(name: string, alias: string, actor: Actor): Promise<AliasEvent>;
  remove(name: string, version: string, actor: Actor): Promise<ModelVersion>;
  history(name: string, alias?: string): AsyncIterable<AliasEvent>;
  verify(options?: { prune?: boolean }): Promise<VerifyReport>;
  /** Where the artifact lives, for display: a path or a URI. Never downloads. */
  location(version: ModelVersion): string;
  /** A local path to the artifact's bytes (downloaded into a cache for remote stores). */
  localArtifact(version: ModelVersion, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}
