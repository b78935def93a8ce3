import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { MserveError } from "../../../src/errors.js";
import type { PushInput } from "../../../src/registry/types.js";

/** A fresh temp folder per call, all removed after the file's tests. */
export function tempDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), `mserve-${prefix}-`));
    dirs.push(dir);
    return dir;
  };
}

let counter = 0;

/** Writes `bytes` (random by default) to a new file in `dir` and describes it as a push of name:version. */
export async function artifact(
  dir: string,
  name: string,
  version: string,
  bytes: Buffer = randomBytes(64),
): Promise<PushInput & { bytes: Buffer }> {
  const path = join(dir, `artifact-${counter++}.bin`);
  await writeFile(path, bytes);
  return {
    path,
    name,
    version,
    target: "any",
    kind: "file",
    format: "file",
    sha256: createHash("sha256").update(bytes).digest("hex"),
    digest: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    tags: {},
    bytes,
  };
}

/** Awaits `promise`, expecting it to reject with an MserveError of `code`; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<MserveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MserveError);
  expect((error as MserveError).code).toBe(code);
  return error as MserveError;
}

/** Calls `fn`, expecting it to throw an MserveError of `code`; returns the error. */
export function throwsWith(fn: () => unknown, code: string): MserveError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MserveError);
  expect((error as MserveError).code).toBe(code);
  return error as MserveError;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export const actor = { by: "tester@host" };
