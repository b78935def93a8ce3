/** One registered model version (design.md §6). */
export interface ModelVersion {
  /** Short, unique, stable: `--id` and the prediction log use it. */
  id: string;
  name: string;
  version: string;
  /** Which server can load the artifact ("any" when mserve could not tell). */
  target: "torchserve" | "any";
  format: "mar" | "tgz" | "file";
  artifact: { uri: string; sha256: string; size: number };
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
  format: ModelVersion["format"];
  sha256: string;
  size: number;
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
  /** `changed` is false when the alias already pointed at that version (nothing recorded). */
  release(
    name: string,
    version: string,
    alias: string,
    actor: Actor,
  ): Promise<{ event: AliasEvent; changed: boolean }>;
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
