import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "./cli.js";

export const protobufPython = () =>
  join(process.env.MSERVE_PROTOBUF_VENV ?? join(repoRoot, ".venv-protobuf"), "bin", "python");

export function protobufMissing(): string | undefined {
  return existsSync(protobufPython())
    ? undefined
    : `${protobufPython()} not found: run \`npm run setup:python\``;
}

export type OracleAnswer = { ok: true; json: Record<string, unknown> } | { ok: false; error: string };

/** google.protobuf's text_format.Parse on each text, in one Python process. */
export async function protobufParse(
  module: string,
  message: string,
  texts: string[],
): Promise<OracleAnswer[]> {
  const { stdout } = await execa(protobufPython(), [join(repoRoot, "scripts", "pbtxt-oracle.py")], {
    input: JSON.stringify({ module, message, texts }),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as OracleAnswer[];
}
