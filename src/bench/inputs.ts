import { invalidInput } from "../errors.js";
import { readBatchInputs } from "../predict/batch.js";
import type { PredictInput } from "../targets/target.js";

/**
 * `--batch inputs.jsonl`: one input per line, read the way `predict --batch`
 * reads them (a JSON string is sent as text, anything else as JSON). A bench
 * cycles through every input, so a bad line stops it before it starts.
 */
export async function readBatchBodies(file: string, cwd: string): Promise<PredictInput[]> {
  const inputs: PredictInput[] = [];
  for await (const item of readBatchInputs(file, cwd)) {
    if (item.error || !item.input) {
      throw invalidInput(
        `${file}:${item.line}: ${item.error?.message.replace(/^line \d+: /, "") ?? "no input"}`,
        "Write one JSON value per line.",
      );
    }
    inputs.push(item.input);
  }
  if (inputs.length === 0) throw invalidInput(`${file} has no inputs`, "Write one JSON value per line.");
  return inputs;
}
