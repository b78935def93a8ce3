import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fromFsError, invalidInput } from "../errors.js";
import type { RequestBody } from "./http-sender.js";

/**
 * `--batch inputs.jsonl`: one request body per line. A JSON string is sent as
 * text (what a text model's handler reads), anything else as JSON.
 */
export async function readBatchBodies(file: string, cwd: string): Promise<RequestBody[]> {
  const path = resolve(cwd, file);
  const text = await readFile(path, "utf8").catch((error) =>
    Promise.reject(fromFsError(error, path, "batch file")),
  );
  const bodies: RequestBody[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw invalidInput(
        `${file}:${i + 1}: not valid JSON (${(error as Error).message})`,
        "Write one JSON value per line.",
      );
    }
    bodies.push(
      typeof value === "string"
        ? { body: Buffer.from(value), contentType: "text/plain; charset=utf-8" }
        : { body: Buffer.from(JSON.stringify(value)), contentType: "application/json" },
    );
  });
  if (bodies.length === 0) throw invalidInput(`${file} has no inputs`, "Write one JSON value per line.");
  return bodies;
}
