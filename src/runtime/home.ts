import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { invalidInput } from "../errors.js";

/** All of mserve's state lives here; MSERVE_HOME moves it (CI jobs, tests). */
export const mserveHome = (env: NodeJS.ProcessEnv) => resolve(env.MSERVE_HOME || join(homedir(), ".mserve"));
export const runDir = (env: NodeJS.ProcessEnv) => join(mserveHome(env), "run");
export const serverWorkDir = (env: NodeJS.ProcessEnv, name: string) => join(mserveHome(env), "servers", name);

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Names become file and container names, so they stay short and path-safe. */
export function validateServerName(name: string): string {
  if (!SERVER_NAME.test(name)) {
    throw invalidInput(
      `invalid server name "${name}"`,
      "Use up to 63 letters, digits, _, . and -, starting with a letter or digit.",
    );
  }
  return name;
}
