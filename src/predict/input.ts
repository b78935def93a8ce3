import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fromFsError, invalidInput, usageError } from "../errors.js";

export interface PredictInputFlags {
  data?: string;
  file?: string;
  json?: string;
  contentType?: string;
}

export interface PredictBody {
  body: Buffer;
  contentType: string;
  /** "--data", "--file model.png", … for messages. */
  source: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

const byExtension: Record<string, string> = {
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
};

/**
 * Turns one of --data / --file / --json into a request body. TorchServe hands
 * JSON bodies to the handler parsed, text/* decoded, anything else as bytes.
 */
export async function readPredictInput(
  flags: PredictInputFlags,
  cwd: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<PredictBody> {
  const given = (["data", "file", "json"] as const).filter((k) => flags[k] !== undefined);
  if (given.length !== 1) {
    throw usageError(
      given.length === 0
        ? "no input given"
        : `give one input, not ${given.map((k) => `--${k}`).join(" and ")}`,
      "Use --data TEXT, --file PATH, or --json JSON|@file|@- (stdin).",
    );
  }
  if (flags.data !== undefined) {
    return {
      body: Buffer.from(flags.data),
      contentType: flags.contentType ?? "text/plain; charset=utf-8",
      source: "--data",
    };
  }
  if (flags.file !== undefined) {
    const path = resolve(cwd, flags.file);
    const body = await readFile(path).catch((error) =>
      Promise.reject(fromFsError(error, path, "input file")),
    );
    const ext = path.slice(path.lastIndexOf(".")).toLowerCase();
    return {
      body,
      contentType: flags.contentType ?? byExtension[ext] ?? "application/octet-stream",
      source: `--file ${flags.file}`,
    };
  }
  const spec = flags.json as string;
  let text: string;
  if (spec === "@-") text = (await readAll(stdin)).toString("utf8");
  else if (spec.startsWith("@")) {
    const path = resolve(cwd, spec.slice(1));
    text = await readFile(path, "utf8").catch((error) =>
      Promise.reject(fromFsError(error, path, "JSON input")),
    );
  } else text = spec;
  try {
    JSON.parse(text);
  } catch (error) {
    throw invalidInput(
      `--json is not valid JSON: ${(error as Error).message}`,
      "Quote the JSON for your shell, or read it from a file with --json @input.json.",
    );
  }
  return { body: Buffer.from(text), contentType: flags.contentType ?? "application/json", source: "--json" };
}
