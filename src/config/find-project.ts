import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ZodType } from "zod";
import { TARGETS } from "../targets/table.js";
import type { LoadedProject } from "./project.js";

/** The project file's name; duplicated from project.ts so that finding it loads neither yaml nor zod. */
const PROJECT_FILE = "mserve.yaml";

let schema: Promise<ZodType> | undefined;

/** mserve.yaml's schema with every target's own section in it (loaded once). */
export function projectFileSchema(): Promise<ZodType> {
  schema ??= (async () => {
    const sections: Record<string, ZodType> = {};
    for (const descriptor of Object.values(TARGETS)) {
      const section = (descriptor as { projectSection?: () => Promise<ZodType> }).projectSection;
      if (section) sections[descriptor.id] = await section();
    }
    return (await import("./project-schema.js")).projectSchema(sections);
  })();
  return schema;
}

/** `--config FILE`, else ./mserve.yaml when present. */
async function projectPath(config: string | undefined, cwd: string): Promise<string | undefined> {
  if (config) return resolve(cwd, config);
  const candidate = join(cwd, PROJECT_FILE);
  return (await stat(candidate).then(
    (s) => s.isFile(),
    () => false,
  ))
    ? candidate
    : undefined;
}

/** `--config FILE`, else ./mserve.yaml when present, else none (flags only); checked whole. */
export async function findProject(
  flags: { config?: string | undefined },
  cwd: string,
): Promise<LoadedProject | undefined> {
  const path = await projectPath(flags.config, cwd);
  if (!path) return undefined;
  const { loadProjectFile } = await import("./project.js");
  return loadProjectFile(path, await projectFileSchema());
}

/**
 * mserve.yaml's `target:` key, read without checking the whole file: server
 * commands use it to pick a target; the commands that use the file check it whole.
 */
export async function projectTargetHint(
  config: string | undefined,
  cwd: string,
): Promise<{ target?: string; file: string } | undefined> {
  const path = await projectPath(config, cwd);
  if (!path) return undefined;
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const { parse } = await import("yaml");
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== "object") return undefined;
  const { target } = doc as { target?: unknown };
  return { file: path, ...(typeof target === "string" ? { target } : {}) };
}
