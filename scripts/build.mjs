// Builds dist/: one ES module bundle with the command modules and adapters
// split into chunks that load only when used (dynamic imports). Bundling saves
// Node resolving and reading hundreds of files at every start; `tsc` still
// checks the types (npm run typecheck).
import { readdir, readFile, rm } from "node:fs/promises";
import { basename } from "node:path";
import { build } from "esbuild";

/**
 * commander requires node:child_process at load, for executable subcommands
 * (git-style `prog-sub` programs), which mserve does not have. Loading it (and
 * the net and dgram modules it pulls in) cost ~2 ms of every start-up:
 * commander gets a stand-in that loads the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: "lazy-child-process-for-commander",
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes("/node_modules/commander/")
        ? { path: "child_process", namespace: "mserve-lazy-builtin" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "mserve-lazy-builtin" }, () => ({
      contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
      loader: "js",
    }));
  },
};

/**
 * esbuild splits shared code by the exact set of entry points that reach it, and every lazy
 * `import()` is an entry point: with ~80 of them the modules every command needs were scattered
 * over ~25 chunks, and each ES module file costs Node ~0.35 ms to load (more than parsing it).
 * Each lazily loaded module is built as itself plus an import of src/cli/core.ts, so everything
 * core.ts reaches is reached by the same entries and lands in one or two chunks.
 */
const corePath = new URL("../src/cli/core.ts", import.meta.url).pathname;
const srcDir = new URL("../src/", import.meta.url).pathname;
const sharedCore = {
  name: "shared-core",
  setup(build) {
    build.onResolve({ filter: /^\./ }, async (args) => {
      if (args.kind !== "dynamic-import" || !args.importer.startsWith(srcDir)) return undefined;
      const real = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: "import-statement" });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: "mserve-lazy-entry" };
    });
    build.onLoad({ filter: /.*/, namespace: "mserve-lazy-entry" }, (args) => ({
      contents: `import ${JSON.stringify(corePath)};\nexport * from ${JSON.stringify(args.path)};\n`,
      loader: "js",
      resolveDir: srcDir,
    }));
  },
};

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
  plugins: [lazyChildProcessForCommander, sharedCore],
});
// dist/ is never emptied first: a test or a running mserve may be reading it. Chunks of an
// earlier build are removed once the new ones are in place (other files, such as the
// compiled KServe validator, belong to other build steps).
const written = new Set(Object.keys(result.metafile.outputs).map((p) => basename(p)));
for (const name of await readdir(outdir))
  if (name.endsWith(".js") && !written.has(name))
    await rm(new URL(name, new URL(outdir, "file:")), { force: true });
