#!/usr/bin/env node
// `npm run demo`: the main job on the bundled intent classifier, end to end on
// the embedded defaults: package it, push it to the registry, release it as
// PROD, serve it with TorchServe, ask PROD about a few sentences, stop.
// Everything it writes lives in .mserve-demo/ (or $MSERVE_HOME), started afresh.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const home = process.env.MSERVE_HOME ?? join(root, ".mserve-demo");
const env = { ...process.env, MSERVE_HOME: home };
const handler = join(root, "templates", "torchserve", "text_classifier.py");
const out = join(home, "dist");

function mserve(args, { json = false, allowFail = false, echo = true } = {}) {
  if (echo) process.stderr.write(`\n$ mserve ${args.join(" ")}\n`);
  const result = spawnSync(
    process.execPath,
    [join(root, "bin", "mserve.js"), ...args, ...(json ? ["-o", "json"] : [])],
    {
      cwd: root,
      env,
      stdio: ["ignore", json ? "pipe" : "inherit", "inherit"],
      encoding: "utf8",
    },
  );
  if (result.status !== 0 && !allowFail) throw new Error(`mserve ${args[0]} exited with ${result.status}`);
  return json ? JSON.parse(result.stdout) : result.status;
}

const started = Date.now();
rmSync(home, { recursive: true, force: true });
let serving = false;
try {
  // The TorchServe runtime: the repository's .venv when it has one, else a managed one.
  const ready = mserve(["doctor", "--target", "torchserve", "-q"], { allowFail: true });
  if (ready !== 0) mserve(["setup", "torchserve"]);
  mserve(["package", "--config", "fixtures/intent/mserve.yaml", "--handler", handler, "--export-path", out]);
  mserve(["registry", "push", join(out, "intent.mar")]);
  mserve(["release", "intent", "1", "--as", "PROD", "--reason", "npm run demo"]);
  mserve(["serve", "--name", "demo", "--ports", "auto"]);
  serving = true;
  const samples = readFileSync(join(root, "fixtures", "intent", "samples.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .filter((_, i) => i % 3 === 0);
  process.stderr.write("\nPROD's answers:\n");
  for (const [i, { text, intent }] of samples.entries()) {
    const answer = mserve(["predict", "intent", "PROD", "--data", text, "-q"], { json: true, echo: i === 0 });
    const mark = answer.response.intent === intent ? "✔" : `✘ (expected ${intent})`;
    console.log(
      `  ${JSON.stringify(text).padEnd(42)} → ${answer.response.intent.padEnd(15)} ${answer.response.score.toFixed(3)} ${mark}`,
    );
  }
} finally {
  if (serving) mserve(["stop", "demo"], { allowFail: true });
}
console.log(
  `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s; the server is stopped.\n` +
    `State (registry, server logs, prediction log) lives in ${home}:\n` +
    `  MSERVE_HOME=${home} mserve registry list intent\n` +
    `  MSERVE_HOME=${home} mserve logs predictions`,
);
