import { invalidInput } from "../errors.js";
import { readBatchInputs } from "../predict/batch.js";
import type { RequestBody } from "./http-sender.js";

/**
 * `--batch inputs.jsonl`: one request body per line, read the way `predict
 * --batch` reads them (a JSON string is sent as text, anything else as JSON).
 * A bench cycles through every body, so a bad line stops it before it starts.
 */
export async function readBatchBodies(file: string, cwd: string): Promise<RequestBody[]> {
  const bodies: RequestBody[] = [];
  for await (const item of readBatchInputs(file, cwd)) {
    if (item.error) {
      throw invalidInput(
        `${file}:${item.line}: ${item.error.message.replace(/^line \d+: /, "")}`,
        "Write one JSON value per line.",
      );
    }
    bodies.push({ body: item.body as Buffer, contentType: item.contentType as string });
  }
  if (bodies.length === 0) throw invalidInput(`${file} has no inputs`, "Write one JSON value per line.");
  return bodies;
}
