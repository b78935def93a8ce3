import { createRequire } from "node:module";

const requireBuiltin = createRequire(import.meta.url);

/**
 * node:crypto, loaded on first use: it costs ~1.6 ms to load, and commands that
 * only read (`registry show`, a predict by alias with no server) never need it.
 */
export const nodeCrypto = (): typeof import("node:crypto") =>
  requireBuiltin("node:crypto") as typeof import("node:crypto");
