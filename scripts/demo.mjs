#!/usr/bin/env node
// `npm run demo`: the main job on the bundled fixture. Packages the intent
// classifier as a .mar, then inspects and validates what it built.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const steps = [
  ["package", "--config", "fixtures/intent/mserve.yaml", "--export-path", "out", "--force"],
  ["inspect", "out/intent.mar"],
  ["validate", "out/intent.mar"],
];
for (const args of steps) {
  process.stderr.write(`\n$ mserve ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, ["bin/mserve.js", ...args], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
