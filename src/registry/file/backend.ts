import { access, mkdir, open, readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { MserveError, usageError } from "../../errors.js";
import { nodeCrypto } from "../../lazy-builtins.js";
import { MODEL_NAME_PATTERN } from "../../model/names.js";
import {
  differentContent,
  noEarlierVersion,
  previousRemoved,
  refuseIfReleased,
  unknownAlias,
  unknownModel,
  unknownVersion,
} from "../errors.js";
import { sameContent } from "../identity.js";
import { aliasKey, checkAlias, compareVersions } from "../names.js";
import type {
  Actor,
  AliasEvent,
  ModelEntry,
  ModelSummary,
  ModelVersion,
  PushInput,
  PushResult,
  Registry,
  ReleaseResult,
  VerifyReport,
} from "../types.js";
import { BlobStore } from "./blobs.js";
import { appendDurable, writeDurable } from "./durable.js";
import { registryFsError } from "./fs-errors.js";
import { emptyDoc, type ModelDoc, readDoc, readHistory, toEntry } from "./model-doc.js";
import { verifyFileRegistry } from "./verify.js";

function checkRegistryName(name: string): string {
  if (!MODEL_NAME_PATTERN.test(name) || name.includes("..")) {
    throw usageError(
      `invalid model name "${name}"`,
      "Names start with a letter or digit and use letters, digits, _, - and . (no '..').",
    );
  }
  return name;
}

const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** 10 characters of Crockford base32 (50 bits): short enough to type, no 0/O or 1/l confusion. */
export function newId(): string {
  const bytes = nodeCrypto().randomBytes(10);
  let id = "";
  for (const byte of bytes) id += ID_ALPHABET[byte & 31];
  return id;
}

/**
 * The embedded registry: one folder per model holding `model.json` (versions and
 * where each alias points, replaced by rename under the model's lock) and
 * `history.jsonl` (append-only), plus content-addressed blobs and an id index.
 * Readers never lock: they see the last committed model.json.
 */
export class FileRegistry implements Registry {
  readonly label: string;
  private readonly blobs: BlobStore;

  constructor(readonly root: string) {
    this.label = `file:${root}`;
    this.blobs = new BlobStore(root);
  }

  /** Every path under models/ goes through here: a name that could leave the folder is refused. */
  private modelDir = (name: string) => join(this.root, "models", checkRegistryName(name));
  private docPath = (name: string) => join(this.modelDir(name), "model.json");
  private historyPath = (name: string) => join(this.modelDir(name), "history.jsonl");
  private idPath = (id: string) => join(this.root, "ids", id);

  private async readModel(name: string): Promise<ModelDoc | undefined> {
    return readDoc(this.docPath(name)).catch((error) =>
      Promise.reject(registryFsError(error, this.docPath(name))),
    );
  }

  /** Reads, changes and commits one model's document under its lock; `change` returns the event to record. */
  private async update<T>(
    name: string,
    change: (doc: ModelDoc, seq: number) => Promise<{ event?: Omit<AliasEvent, "seq">; result: T }>,
  ): Promise<T> {
    // The lock library loads only for writes, so resolving (every predict) stays cheap.
    const { withLock } = await import("./lock.js");
    return withLock(this.modelDir(name), async (stillHeld) => {
      const doc = (await this.readModel(name)) ?? emptyDoc(name);
      const seq = doc.seq + 1;
      const { event, result } = await change(doc, seq);
      if (!event) return result;
      try {
        stillHeld();
        // History first: an event without a committed document is skipped by readers (seq above doc.seq).
        await appendDurable(this.historyPath(name), JSON.stringify({ seq, ...event }));
        await writeDurable(this.docPath(name), `${JSON.stringify({ ...doc, seq }, null, 1)}\n`);
      } catch (error) {
        throw registryFsError(error, this.modelDir(name));
      }
      return result;
    });
  }

  async push(input: PushInput, actor: Actor): Promise<PushResult> {
    // The same content again (a re-package with a new createdOn) is "unchanged" without storing its bytes;
    // the check is repeated under the lock below, this one only spares the copy.
    const known = (await this.readModel(input.name))?.versions.find((v) => v.version === input.version);
    if (known && sameContent(known, input)) return { status: "unchanged", version: known, storedBytes: 0 };
    const storedBytes = await this.blobs.put(input.path, input.sha256, input.format);
    // A reused blob is touched so `verify --prune` (which spares recent blobs) cannot race this push.
    if (storedBytes === 0) {
      const now = new Date();
      await utimes(this.blobs.path(input.sha256, input.format), now, now).catch(() => {});
    }
    return this.update<PushResult>(input.name, async (doc) => {
      const existing = doc.versions.find((v) => v.version === input.version);
      if (existing) {
        if (sameContent(existing, input))
          return { result: { status: "unchanged", version: existing, storedBytes } };
        throw differentContent(input, existing);
      }
      const version: ModelVersion = {
        id: await this.claimId(input.name, input.version),
        name: input.name,
        version: input.version,
        target: input.target,
        kind: input.kind,
        format: input.format,
        artifact: {
          uri: this.blobs.relativePath(input.sha256, input.format),
          sha256: input.sha256,
          size: input.size,
          digest: input.digest,
        },
        createdAt: new Date().toISOString(),
        createdBy: actor.by,
        ...(input.source ? { source: input.source } : {}),
        ...(input.description ? { description: input.description } : {}),
        tags: input.tags,
      };
      doc.versions.push(version);
      return {
        event: {
          at: version.createdAt,
          by: actor.by,
          action: "push",
          version: input.version,
          reason: actor.reason,
        },
        result: { status: "created", version, storedBytes },
      };
    });
  }

  /** Creates the id's index file exclusively, so two versions can never share an id. */
  private async claimId(name: string, version: string): Promise<string> {
    for (;;) {
      const id = newId();
      try {
        await mkdir(join(this.root, "ids"), { recursive: true });
        const handle = await open(this.idPath(id), "wx", 0o644);
        await handle.writeFile(`${JSON.stringify({ name, version })}\n`);
        await handle.close();
        return id;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw registryFsError(error, this.idPath(id));
      }
    }
  }

  async models(): Promise<ModelSummary[]> {
    const names = await readdir(join(this.root, "models")).catch(() => [] as string[]);
    const summaries: ModelSummary[] = [];
    for (const name of names.sort()) {
      const doc = await this.readModel(name);
      if (!doc || doc.versions.length === 0) continue;
      const versions = doc.versions.map((v) => v.version).sort(compareVersions);
      const stamps = [
        ...doc.versions.map((v) => v.createdAt),
        ...Object.values(doc.aliases).map((a) => a.at),
      ].sort();
      summaries.push({
        name,
        versions: versions.length,
        latest: versions[versions.length - 1],
        aliases: Object.fromEntries(Object.entries(doc.aliases).map(([a, s]) => [a, s.version])),
        updatedAt: stamps[stamps.length - 1],
      });
    }
    return summaries;
  }

  async model(name: string): Promise<ModelEntry | undefined> {
    const doc = await this.readModel(name);
    return doc && doc.versions.length > 0 ? toEntry(doc) : undefined;
  }

  async findById(id: string): Promise<ModelVersion | undefined> {
    if (!/^[0-9a-z]{4,32}$/.test(id)) return undefined;
    const text = await readFile(this.idPath(id), "utf8").catch(() => undefined);
    if (!text) return undefined;
    const { name, version } = JSON.parse(text) as { name: string; version: string };
    const doc = await this.readModel(name);
    return doc?.versions.find((v) => v.version === version && v.id === id);
  }

  async knownIds(): Promise<string[]> {
    return readdir(join(this.root, "ids")).catch(() => []);
  }

  async release(name: string, version: string, alias: string, actor: Actor): Promise<ReleaseResult> {
    checkAlias(alias);
    await this.requireModelNames(name);
    return this.update<ReleaseResult>(name, async (doc, seq) => {
      if (!doc.versions.some((v) => v.version === version)) {
        throw unknownVersion(
          name,
          version,
          doc.versions.map((v) => v.version),
        );
      }
      // PROD and prod are one alias, kept in the case it was first written in.
      const key = aliasKey(doc.aliases, alias) ?? alias;
      const previous = doc.aliases[key]?.version;
      if (previous === version) return { result: { changed: false, alias: key, version } };
      const at = new Date().toISOString();
      const event = {
        at,
        by: actor.by,
        action: "release" as const,
        alias: key,
        version,
        previous,
        reason: actor.reason,
      };
      doc.aliases[key] = { version, at, by: actor.by, ...(previous ? { previous } : {}) };
      return {
        event,
        result: {
          changed: true,
          alias: key,
          version,
          ...(previous ? { previous } : {}),
          event: { seq, ...event },
        },
      };
    });
  }

  /**
   * Each alias remembers the version it pointed at before its last move, so a
   * rollback reads no history (constant time and memory) and a second rollback
   * undoes the first, as `kubectl rollout undo` does.
   */
  async rollback(name: string, alias: string, actor: Actor): Promise<AliasEvent> {
    checkAlias(alias);
    await this.requireModelNames(name);
    return this.update(name, async (doc, seq) => {
      const key = aliasKey(doc.aliases, alias);
      const current = key === undefined ? undefined : doc.aliases[key];
      if (!current || key === undefined) throw unknownAlias(name, alias, Object.keys(doc.aliases));
      alias = key;
      const target = current.previous;
      if (!target) throw noEarlierVersion(name, alias);
      if (!doc.versions.some((v) => v.version === target)) throw previousRemoved(name, target, alias);
      const at = new Date().toISOString();
      doc.aliases[alias] = { version: target, at, by: actor.by, previous: current.version };
      const event = {
        at,
        by: actor.by,
        action: "rollback" as const,
        alias,
        version: target,
        previous: current.version,
        reason: actor.reason,
      };
      return { event, result: { seq, ...event } };
    });
  }

  async remove(name: string, version: string, actor: Actor): Promise<ModelVersion> {
    await this.requireModelNames(name);
    const removed = await this.update(name, async (doc) => {
      const index = doc.versions.findIndex((v) => v.version === version);
      const found = doc.versions[index];
      if (!found)
        throw unknownVersion(
          name,
          version,
          doc.versions.map((v) => v.version),
        );
      refuseIfReleased(name, version, doc.aliases);
      doc.versions.splice(index, 1);
      return {
        event: {
          at: new Date().toISOString(),
          by: actor.by,
          action: "remove" as const,
          version,
          reason: actor.reason,
        },
        result: found,
      };
    });
    await rm(this.idPath(removed.id), { force: true });
    return removed;
  }

  async *history(name: string, alias?: string): AsyncGenerator<AliasEvent> {
    const doc = await this.readModel(name);
    if (!doc) throw unknownModel(name, await this.names());
    const same = (a: string | undefined) => alias === undefined || a?.toLowerCase() === alias.toLowerCase();
    if (alias !== undefined && aliasKey(doc.aliases, alias) === undefined) {
      let ever = false;
      for await (const event of readHistory(this.historyPath(name), doc.seq))
        if (same(event.alias)) ever = true;
      if (!ever) throw unknownAlias(name, alias, Object.keys(doc.aliases));
    }
    for await (const event of readHistory(this.historyPath(name), doc.seq)) {
      if (same(event.alias)) yield event;
    }
  }

  async verify(options: { prune?: boolean } = {}): Promise<VerifyReport> {
    return verifyFileRegistry(this.root, this.blobs, options);
  }

  location(version: ModelVersion): string {
    return join(this.root, version.artifact.uri);
  }

  async localArtifact(version: ModelVersion): Promise<string> {
    const path = this.location(version);
    try {
      await access(path);
    } catch {
      throw new MserveError(
        "INVALID_INPUT",
        `the artifact of ${version.name}:${version.version} is missing from the registry (${path})`,
        {
          hint: "Run `mserve registry verify`, then push the artifact again.",
        },
      );
    }
    return path;
  }

  async names(): Promise<string[]> {
    return readdir(join(this.root, "models")).catch(() => []);
  }

  private async requireModelNames(name: string): Promise<void> {
    const exists = await stat(this.docPath(name)).then(
      () => true,
      () => false,
    );
    if (!exists) throw unknownModel(name, await this.names());
  }

  async close(): Promise<void> {}
}
