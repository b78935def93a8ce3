import { z } from "zod";

const pathList = z.union([z.string(), z.array(z.string())]);
const archiveFormat = z.enum(["default", "zip-store", "tgz", "no-archive"]);
const runtime = z.enum(["python", "python3", "LSP"]);

const torchserveSection = z.strictObject({
  "archive-format": archiveFormat.optional(),
  "config-file": z.string().optional(),
  runtime: runtime.optional(),
  "export-path": z.string().optional(),
  "preserve-paths": z.boolean().optional(),
});

/**
 * mserve.yaml (design.md §4). Unknown keys are errors. Sections for targets
 * that later issues implement are accepted as free-form maps until then.
 */
export const projectSchema = z.strictObject({
  name: z.string().optional(),
  version: z.union([z.string(), z.number()]).transform(String).optional(),
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
    .strictObject({
      torchserve: torchserveSection.optional(),
      triton: z.looseObject({}).optional(),
      tfserving: z.looseObject({}).optional(),
      kserve: z.looseObject({}).optional(),
    })
    .optional(),
});

export type ProjectFile = z.infer<typeof projectSchema>;
