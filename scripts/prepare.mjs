// `prepare`: builds dist/ before npm packs mserve (npm pack, a git install).
// `npm install -g git+…` prepares the clone with the parent's global flag in
// the environment, so the clone's own dev dependencies (esbuild) are not
// installed next to it (npm/cli#3995); install them locally first when missing.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = new URL("..", import.meta.url).pathname;
try {
  require.resolve("esbuild", { paths: [root] });
} catch {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  // Only the parent's global-install settings are dropped; the registry, cache and proxy stay.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_config_(global|prefix|allow_scripts|location)$/i.test(k)),
  );
  execFileSync(npm[0], [...npm.slice(1), "install", "--no-save", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
    env,
  });
}
execFileSync(process.execPath, [new URL("build.mjs", import.meta.url).pathname], { stdio: "inherit" });
