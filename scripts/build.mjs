// Builds dist/: one ES module bundle per entry, with the command modules and
// adapters split into chunks that load only when used (dynamic imports).
// Bundling saves Node resolving and reading hundreds of files at every start;
// `tsc` still checks the types (npm run typecheck).
import { rm } from "node:fs/promises";
import { build } from "esbuild";

const outdir = new URL("../dist/", import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { cli: new URL("../src/cli.ts", import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Dependencies stay in node_modules, loaded as their authors ship them (several are CommonJS).
  packages: "external",
  // Chunks sit beside cli.js: src/paths.ts finds the package root one level up from any of them.
  chunkNames: "[name]-[hash]",
  logLevel: "warning",
});
