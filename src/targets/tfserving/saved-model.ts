import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { invalidInput } from "../../errors.js";

/**
 * What TF Serving needs in a SavedModel folder: saved_model.pb (or .pbtxt) and,
 * when there are variables, an index plus every data shard it was written with.
 */
export async function checkSavedModel(dir: string): Promise<{ files: number; bytes: number }> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw invalidInput(
      `${dir} is not a folder`,
      "Pass the folder tf.saved_model.save wrote (it holds saved_model.pb).",
    );
  const names = await readdir(dir);
  if (!names.includes("saved_model.pb") && !names.includes("saved_model.pbtxt")) {
    throw invalidInput(
      `${dir} is not a SavedModel: saved_model.pb is missing`,
      "Export with tf.saved_model.save(model, path) and pass that path.",
    );
  }
  if (names.includes("variables")) {
    const vars = await readdir(join(dir, "variables"));
    const shards = vars
      .map((n) => /^variables\.data-(\d{5})-of-(\d{5})$/.exec(n))
      .filter((m): m is RegExpExecArray => Boolean(m));
    if (shards.length > 0 && !vars.includes("variables.index")) {
      throw invalidInput(
        `${dir}/variables has data shards but no variables.index`,
        "Copy the whole variables folder from the export.",
      );
    }
    const totals = new Set(shards.map((m) => Number(m[2])));
    if (totals.size > 1)
      throw invalidInput(
        `${dir}/variables mixes shards of different exports (${[...totals].join(", ")} shards)`,
      );
    const [total] = [...totals];
    if (total !== undefined) {
      const present = new Set(shards.map((m) => Number(m[1])));
      const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !present.has(i));
      if (missing.length > 0) {
        throw invalidInput(
          `${dir}/variables is missing data shard(s) ${missing.map((i) => String(i).padStart(5, "0")).join(", ")} of ${total}`,
          "Copy the whole variables folder from the export.",
        );
      }
    } else if (vars.includes("variables.index")) {
      throw invalidInput(
        `${dir}/variables has variables.index but no data shards`,
        "Copy the whole variables folder from the export.",
      );
    }
  }
  let files = 0;
  let bytes = 0;
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isSymbolicLink())
        throw invalidInput(`${join(d, e.name)} is a symlink; a SavedModel is copied as plain files`);
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.isFile()) {
        files++;
        bytes += (await stat(join(d, e.name))).size;
      }
    }
  };
  await walk(dir);
  return { files, bytes };
}
