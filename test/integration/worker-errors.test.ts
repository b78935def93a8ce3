import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, mserve, repoRoot, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * What a user sees when their handler fails on a real TorchServe: the Python
 * exception and where it was raised, not "Prediction failed (HTTP 503)"; and a
 * batch whose server dies stops within seconds with every line accounted for.
 */
const missing = torchserveMissing();
requireOrSkip(missing);

const RAISING = `from ts.torch_handler.base_handler import BaseHandler


class Handler(BaseHandler):
    def initialize(self, context):
        self.initialized = True

    def preprocess(self, data):
        raise ValueError("bad input")
`;

const MISSING_IMPORT = `import not_installed_anywhere  # noqa: F401
from ts.torch_handler.base_handler import BaseHandler


class Handler(BaseHandler):
    pass
`;

describe.skipIf(Boolean(missing))("handler failures and a dying server, on a real TorchServe", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const env = () => ({ MSERVE_TORCHSERVE_BIN: torchserveBin() });
  const run = (...args: string[]) => mserve(args, { cwd: dir, env: env() });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject("intent"));
    await writeFile(join(dir, "raising.py"), RAISING);
    await writeFile(join(dir, "missing_import.py"), MISSING_IMPORT);
    expect((await run("serve", "--ports", "auto", "--disable-token-auth")).exitCode).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await run("stop", "--all");
    await cleanup();
  });

  it("a handler that raises in preprocess: exit 7 with the exception and the handler's file:line", async () => {
    for (const [name, handler] of [
      ["raising", "raising.py"],
      ["broken", "missing_import.py"],
    ] as const)
      expect(
        (await run("package", "--model-name", name, "-v", "1", "--handler", handler, "-f")).exitCode,
      ).toBe(0);
    expect((await run("deploy", "raising.mar")).exitCode).toBe(0);
    const predicted = await run("predict", "raising", "--data", "hi");
    expect(predicted.exitCode).toBe(7);
    expect(predicted.stderr).toMatch(
      /predict raising failed: ValueError: bad input \(raising\.py:9 in preprocess\)/,
    );
    expect(predicted.stderr).toMatch(/hint: The handler raised while handling this request/);
  });

  it("a handler that imports a missing module: the ModuleNotFoundError at deploy", async () => {
    const deployed = await run("deploy", "broken.mar", "--timeout", "60s", "-o", "json");
    expect(deployed.exitCode).toBe(7);
    const { error } = JSON.parse(deployed.stdout);
    expect(error.message).toMatch(
      /loading broken:1 failed: ModuleNotFoundError: No module named 'not_installed_anywhere'/,
    );
    expect(error.message).toMatch(/missing_import\.py:1/);
    expect(error.hint).toMatch(/lacks not_installed_anywhere/);
  });

  it("a 2,000-line batch whose server is killed at line 100 exits 6 within 10 s, every line accounted for in order", async () => {
    const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");
    expect((await run("package", "--handler", handler, "-f")).exitCode).toBe(0);
    expect((await run("deploy", "intent.mar")).exitCode).toBe(0);
    await writeFile(
      join(dir, "big.jsonl"),
      `${Array.from({ length: 2000 }, (_, i) => JSON.stringify(`set a timer for ${i} minutes`)).join("\n")}\n`,
    );
    const child = spawn("node", [binPath, "predict", "intent", "--batch", "big.jsonl", "-c", "16"], {
      cwd: dir,
      env: { ...process.env, ...env(), NO_COLOR: "1", CI: "1", MSERVE_HOME: join(dir, ".mserve-home") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: { line: number; status: string; error?: { code: string } }[] = [];
    let killedAt = 0;
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    for await (const text of createInterface({ input: child.stdout })) {
      lines.push(JSON.parse(text));
      if (lines.length === 100 && !killedAt) {
        killedAt = Date.now();
        // The server dies as a crash would: the whole process group at once.
        const ps = JSON.parse((await run("ps", "-o", "json")).stdout).servers[0];
        process.kill(-Number(ps.id), "SIGKILL");
      }
    }
    const code = await exited;
    expect(code).toBe(6);
    const afterKill = Date.now() - killedAt;
    console.info(`batch ended ${afterKill} ms after the server was killed`);
    expect(afterKill).toBeLessThan(10_000);
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(lines.slice(0, 100).every((l) => l.status === "ok")).toBe(true);
    expect(lines.at(-1)).toMatchObject({ status: "error", error: { code: "UNREACHABLE" } });
  }, 120_000);
});
