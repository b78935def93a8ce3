import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { z } from "zod";
import { MserveError } from "../../errors.js";
import {
  type AliasEvent,
  ARTIFACT_FORMATS,
  ARTIFACT_KINDS,
  type ArtifactKind,
  type ModelEntry,
  type ModelVersion,
} from "../types.js";

/** Versions written before kinds were recorded: a TorchServe archive, or a plain file. */
const kindOf = (v: { target: string; kind?: ArtifactKind | undefined }): ArtifactKind =>
  v.kind ?? (v.target === "torchserve" ? "torchserve-archive" : "file");

const versionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.string(),
    target: z.string(),
    kind: z.enum(ARTIFACT_KINDS).optional(),
    format: z.enum(ARTIFACT_FORMATS),
    artifact: z.object({
      uri: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().nonnegative(),
      digest: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    }),
    createdAt: z.string(),
    createdBy: z.string(),
    source: z.string().optional(),
    description: z.string().optional(),
    tags: z.record(z.string(), z.string()),
  })
  .transform((v): ModelVersion => ({ ...v, kind: kindOf(v) }));

const docSchema = z.object({
  schema: z.literal(1),
  name: z.string(),
  /** Sequence number of the last committed change; history events above it never happened. */
  seq: z.number().int().nonnegative(),
  versions: z.array(versionSchema),
  aliases: z.record(
    z.string(),
    z.object({ version: z.string(), at: z.string(), by: z.string(), previous: z.string().optional() }),
  ),
});
export type ModelDoc = z.infer<typeof docSchema>;

const eventSchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  by: z.string(),
  action: z.enum(["push", "remove", "release", "rollback"]),
  alias: z.string().optional(),
  version: z.string().optional(),
  previous: z.string().optional(),
  reason: z.string().optional(),
}) satisfies z.ZodType<AliasEvent>;

export const emptyDoc = (name: string): ModelDoc => ({ schema: 1, name, seq: 0, versions: [], aliases: {} });

export async function readDoc(path: string): Promise<ModelDoc | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = docSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new MserveError(
      "INVALID_INPUT",
      `registry file ${path} is damaged: ${parsed.error.issues[0]?.message ?? "not JSON"}`,
      {
        hint: "Run `mserve registry verify`; mserve only replaces this file by rename, so damage comes from outside edits.",
      },
    );
  }
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const toEntry = (doc: ModelDoc): ModelEntry => ({
  name: doc.name,
  versions: doc.versions,
  aliases: doc.aliases,
});

/**
 * Streams the committed events, oldest first. An event appended by a writer that
 * crashed before committing has a seq above the document's, or is followed by a
 * retry with the same seq; both are skipped. Memory stays flat however long the history.
 */
export async function* readHistory(path: string, committedSeq: number): AsyncGenerator<AliasEvent> {
  const input = createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let pending: AliasEvent | undefined;
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      const parsed = eventSchema.safeParse(safeJson(line));
      // A torn last line (crash mid-append) is not an event.
      if (!parsed.success || parsed.data.seq > committedSeq) continue;
      if (pending && pending.seq !== parsed.data.seq) yield pending;
      pending = parsed.data;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (pending) yield pending;
}
