import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, mserve, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * A deploy that times out or is interrupted while TorchServe is still loading
 * the model must not leave it registered, nor its archive in the store.
 */
const missing = torchserveMissing();
requireOrSkip(missing);

const SLOW_HANDLER = `import time
from ts.torch_handler.base_handler import BaseHandler


class Slow(BaseHandler):
    def initialize(self, context):
        time.sleep(8)
        self.initialized = True

    def handle(self, data, context):
        return ["ok" for _ in data]
`;

const BROKEN_HANDLER = `from ts.torch_handler.base_handler import BaseHandler


class Broken(BaseHandler):
    def initialize(self, context):
        raise RuntimeError("weights are corrupt")
`;

describe.skipIf(Boolean(missing))("deploy rolls back on timeout and Ctrl-C (real TorchServe)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  const env = () => ({ MSERVE_TORCHSERVE_BIN: torchserveBin() });
  const run = (...args: string[]) => mserve(args, { cwd: dir, env: env() });
  const models = async () => JSON.parse((await run("models", "-o", "json")).stdout).models as unknown[];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    await writeFile(join(dir, "handler.py"), SLOW_HANDLER);
    await writeFile(join(dir, "broken.py"), BROKEN_HANDLER);
    const packaged = await run("package", "--model-name", "slow", "-v", "1", "--handler", "handler.py");
    expect(packaged.exitCode, packaged.stderr).toBe(0);
    const broken = await run("package", "--model-name", "broken", "-v", "1", "--handler", "broken.py");
    expect(broken.exitCode, broken.stderr).toBe(0);
    const served = await run(
      "serve",
      "--name",
      "rb",
      "--ports",
      "auto",
      "--disable-token-auth",
      "-o",
      "json",
    );
    expect(served.exitCode, served.stderr).toBe(0);
    store = JSON.parse(served.stdout).modelStore;
  });
  afterAll(async () => {
    await run("stop", "--all");
    await cleanup();
  });

  it("--timeout shorter than the model load: exit 8, nothing registered, store empty", async () => {
    const result = await run("deploy", "slow.mar", "--timeout", "2s");
    expect(result.exitCode).toBe(8);
    expect(result.stderr).toMatch(/within 2s|timed out/);
    expect(await models()).toEqual([]);
    expect(await readdir(store)).toEqual([]);
  });

  it("a handler that fails to load: exit 7 pointing at the log; TorchServe's leftover registration is removed", async () => {
    const result = await run("deploy", "broken.mar", "--timeout", "60s");
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toMatch(/Failed to start workers/);
    expect(result.stderr).toMatch(/mserve logs/);
    expect(await models()).toEqual([]);
    expect(await readdir(store)).toEqual([]);
    const log = await run("logs", "rb", "-n", "2000");
    expect(log.stdout).toContain("weights are corrupt");
  });

  it("Ctrl-C while the model loads: exit 130, nothing registered, store empty", async () => {
    const child = execa("node", [binPath, "deploy", "slow.mar"], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: "1", CI: "1", MSERVE_HOME: join(dir, ".mserve-home"), ...env() },
    });
    // Wait until the register call is in flight: the archive appears in the store first.
    for (let i = 0; i < 100 && (await readdir(store)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(await models()).toEqual([]);
    expect(await readdir(store)).toEqual([]);
  });
});
