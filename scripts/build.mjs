// Builds dist/: one ES module bundle with the command modules and adapters
// split into chunks that load only when used (dynamic imports). Bundling saves
// Node resolving and reading hundreds of files at every start; `tsc` still
// checks the types (npm run typecheck).
import { readdir, readFile, rm } from "node:fs/promises";
import { basename } from "node:path";
import { build } from "esbuild";

const outdir = new URL("../dist/", import.meta.url).pathname;
const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
const result = await build({
  entryPoints: { cli: new URL("../src/cli.ts", import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Runtime dependencies stay in node_modules, loaded as their authors ship them (several are
  // CommonJS). commander is bundled instead (so it is a dev dependency): every command builds its
  // program with it, and as a CommonJS package of seven files reached through Node's ESM-to-CJS
  // bridge it cost ~6 ms of each start-up.
  external: Object.keys(pkg.dependencies),
  // The bundled CommonJS requires Node's built-ins (node:events, …): give ES module chunks a require.
  banner: {
    js: 'import { createRequire as __mserveRequire } from "node:module"; const require = __mserveRequire(import.meta.url);',
  },
  // Chunks sit beside cli.js: src/paths.ts finds the package root one level up from any of them.
  chunkNames: "[name]-[hash]",
  metafile: true,
  logLevel: "warning",
});
// dist/ is never emptied first: a test or a running mserve may be reading it. Chunks of an
// earlier build are removed once the new ones are in place (other files, such as the
// compiled KServe validator, belong to other build steps).
const written = new Set(Object.keys(result.metafile.outputs).map((p) => basename(p)));
for (const name of await readdir(outdir))
  if (name.endsWith(".js") && !written.has(name))
    await rm(new URL(name, new URL(outdir, "file:")), { force: true });
