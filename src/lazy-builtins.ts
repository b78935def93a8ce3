import { createRequire } from "node:module";

/*
 * Node built-ins that cost milliseconds to load, loaded on first use so that
 * commands which never need them (a predict with no server, `package`,
 * `registry show`) do not pay at start-up.
 */
const requireBuiltin = createRequire(import.meta.url);

/** ~1.6 ms: only what hashes or draws random bytes needs it. */
export const nodeCrypto = (): typeof import("node:crypto") =>
  requireBuiltin("node:crypto") as typeof import("node:crypto");

/** ~3 ms: loaded with the first HTTP client. */
export const nodeHttp = (): typeof import("node:http") =>
  requireBuiltin("node:http") as typeof import("node:http");

/** ~5 ms with tls: only for an https:// server. */
export const nodeHttps = (): typeof import("node:https") =>
  requireBuiltin("node:https") as typeof import("node:https");
