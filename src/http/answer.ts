import type { z } from "zod";
import { MserveError } from "../errors.js";

/**
 * Parses a server's answer once, at the edge. An answer without the documented
 * shape is the server's fault (exit 7), not the user's: a ZodError escaping
 * here would be reported as a bad flag.
 */
export function parseAnswer<T>(schema: z.ZodType<T>, data: unknown, what: string, hint: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new MserveError(
    "SERVER_ERROR",
    `unexpected answer to ${what}: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim(),
    {
      hint,
    },
  );
}
