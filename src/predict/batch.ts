import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { fromFsError, invalidInput, type MserveError } from "../errors.js";
import type { PredictInput } from "../targets/target.js";

export interface BatchInput {
  /** 0-based position among the inputs: output order. */
  index: number;
  /** 1-based line in the file, for messages. */
  line: number;
  /** The line as if given as --data (a JSON string) or --json (any other JSON value). */
  input?: PredictInput;
  /** A line that is not JSON: reported in its place, never sent. */
  error?: MserveError;
}

/**
 * `--batch inputs.jsonl`, streamed: one JSON value per line; a JSON string is
 * sent as text (--data), anything else as JSON (--json). Blank lines are skipped.
 */
export async function* readBatchInputs(file: string, cwd: string): AsyncGenerator<BatchInput> {
  const path = file === "-" ? undefined : resolve(cwd, file);
  if (path) {
    const info = await stat(path).catch((error) => Promise.reject(fromFsError(error, path, "batch file")));
    if (!info.isFile()) throw invalidInput(`batch file ${path} is not a file`);
  }
  const input = path ? createReadStream(path, { encoding: "utf8" }) : process.stdin;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let index = 0;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      yield {
        index: index++,
        line: lineNo,
        error: invalidInput(
          `line ${lineNo}: not valid JSON (${(error as Error).message})`,
          "Write one JSON value per line.",
        ),
      };
      continue;
    }
    yield typeof value === "string"
      ? { index: index++, line: lineNo, input: { data: value } }
      : { index: index++, line: lineNo, input: { json: JSON.stringify(value) } };
  }
}

/**
 * Runs `work` on up to `concurrency` items at once and hands results to `emit`
 * in input order, as soon as every earlier one is done. `work` must not throw.
 */
export async function runOrdered<T extends { index: number }, R>(
  items: AsyncIterable<T>,
  concurrency: number,
  work: (item: T) => Promise<R>,
  emit: (result: R, item: T) => void,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  const done = new Map<number, [R, T]>();
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (signal?.aborted) return;
      const step = await iterator.next();
      if (step.done) return;
      done.set(step.value.index, [await work(step.value), step.value]);
      for (let ready = done.get(next); ready; ready = done.get(next)) {
        done.delete(next++);
        emit(ready[0], ready[1]);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
