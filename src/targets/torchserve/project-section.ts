import { z } from "zod";

/** `targets.torchserve` in mserve.yaml: what only the .mar needs, over the top-level keys. */
export const torchserveSection = z.strictObject({
  "archive-format": z.enum(["default", "zip-store", "tgz", "no-archive"]).optional(),
  "config-file": z.string().optional(),
  runtime: z.enum(["python", "python3", "LSP"]).optional(),
  "export-path": z.string().optional(),
  "preserve-paths": z.boolean().optional(),
});
