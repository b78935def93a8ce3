import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { MserveError } from "../../errors.js";
import type { AliasEvent, ModelEntry } from "../types.js";
import { checkDoc, checkEvent, type DocShape } from "./doc-check.js";

/** A model's model.json; `seq` is the last committed change: history events above it never happened. */
export type ModelDoc = DocShape;

export const emptyDoc = (name: string): ModelDoc => ({ schema: 1, name, seq: 0, versions: [], aliases: {} });

export async function readDoc(path: string): Promise<ModelDoc | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const json = safeJson(text);
  const parsed = json === undefined ? { ok: false as const, message: "not JSON" } : checkDoc(json);
  if (!parsed.ok) {
    throw new MserveError("INVALID_INPUT", `registry file ${path} is damaged: ${parsed.message}`, {
      hint: "Run `mserve registry verify`; mserve only replaces this file by rename, so damage comes from outside edits.",
    });
  }
  return parsed.value;
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
      const event = checkEvent(safeJson(line));
      // A torn last line (crash mid-append) is not an event.
      if (!event || event.seq > committedSeq) continue;
      if (pending && pending.seq !== event.seq) yield pending;
      pending = event;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (pending) yield pending;
}
