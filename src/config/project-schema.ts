import { type ZodType, z } from "zod";

const pathList = z.union([z.string(), z.array(z.string())]);
const archiveFormat = z.enum(["default", "zip-store", "tgz", "no-archive"]);
const runtime = z.enum(["python", "python3", "LSP"]);

/**
 * mserve.yaml (design.md §4). Unknown keys are errors, in every target section
 * too: each target brings the schema of its own `targets.<id>` section.
 */
export function projectSchema(sections: Record<string, ZodType>) {
  return z.strictObject({
    name: z.string().optional(),
    version: z.union([z.string(), z.number()]).transform(String).optional(),
    /** The server commands in this project go to when --target is not given. */
    target: z.enum(Object.keys(sections) as [string, ...string[]]).optional(),
    handler: z.string().optional(),
    "serialized-file": z.string().optional(),
    "model-file": z.string().optional(),
    "extra-files": pathList.optional(),
    "requirements-file": z.string().optional(),
    "config-file": z.string().optional(),
    runtime: runtime.optional(),
    "archive-format": archiveFormat.optional(),
    "export-path": z.string().optional(),
    "preserve-paths": z.boolean().optional(),
    targets: z
      .strictObject(
        Object.fromEntries(Object.entries(sections).map(([id, schema]) => [id, schema.optional()])),
      )
      .optional(),
  });
}

type Known = z.infer<ReturnType<typeof projectSchema>>;

/** A checked project file. Target sections are typed by the target that reads them. */
export type ProjectFile = Omit<Known, "targets"> & {
  targets?: Record<string, Record<string, unknown> | undefined>;
};
