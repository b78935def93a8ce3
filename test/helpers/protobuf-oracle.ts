import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "./cli.js";

/** The venv whose protobuf descriptors answer: Triton's (.venv-protobuf) or TF Serving's (.venv-tfserving). */
export type Oracle = "triton" | "tfserving";
const VENVS: Record<Oracle, [string, string]> = {
  triton: ["MSERVE_PROTOBUF_VENV", ".venv-protobuf"],
  tfserving: ["MSERVE_TFSERVING_VENV", ".venv-tfserving"],
};

export const protobufPython = (oracle: Oracle = "triton") => {
  const [variable, folder] = VENVS[oracle];
  return join(process.env[variable] ?? join(repoRoot, folder), "bin", "python");
};

export function protobufMissing(oracle: Oracle = "triton"): string | undefined {
  return existsSync(protobufPython(oracle))
    ? undefined
    : `${protobufPython(oracle)} not found: run \`npm run setup:python\``;
}

export type OracleAnswer = { ok: true; json: Record<string, unknown> } | { ok: false; error: string };

/** google.protobuf's text_format.Parse on each text, in one Python process. */
export async function protobufParse(
  module: string,
  message: string,
  texts: string[],
  oracle: Oracle = "triton",
): Promise<OracleAnswer[]> {
  const { stdout } = await execa(protobufPython(oracle), [join(repoRoot, "scripts", "pbtxt-oracle.py")], {
    input: JSON.stringify({ module, message, texts }),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as OracleAnswer[];
}
