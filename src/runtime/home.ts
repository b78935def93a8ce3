import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { invalidInput } from "../errors.js";

/** All of mserve's state lives here; MSERVE_HOME moves it (CI jobs, tests). */
export function mserveHome(env: NodeJS.ProcessEnv): string {
  // HOME from the passed env first, so callers (and tests) that hand in an env are not overridden.
  return resolve(env.MSERVE_HOME || join(env.HOME || homedir(), ".mserve"));
}

/** Run records: one `<name>.json` per server mserve started. */
export const runDir = (env: NodeJS.ProcessEnv): string => join(mserveHome(env), "run");

/** A server's own folder: config, logs, temp files, key file. */
export const serverWorkDir = (env: NodeJS.ProcessEnv, name: string): string =>
  join(mserveHome(env), "servers", validateServerName(name));

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Names become file and container names, so they stay short and path-safe (no `/`, no leading `.`). */
export function validateServerName(name: string): string {
  // `mserve logs predictions` reads the prediction log, so no server may take that name.
  if (!SERVER_NAME.test(name) || name === "predictions") {
    throw invalidInput(
      `invalid server name ${JSON.stringify(name)}`,
      "Use 1 to 63 letters, digits, _, . and -, starting with a letter or digit, other than `predictions` (e.g. --name ts-1).",
    );
  }
  return name;
}
