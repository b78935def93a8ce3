import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, truncate, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { binPath, type CliResult, cliIn, mserve, tempProject } from "../helpers/cli.js";

interface HistoryEvent {
  seq: number;
  action: string;
  alias?: string;
  version?: string;
  previous?: string;
}

describe("registry under concurrency, crashes and a read-only folder", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const { run, ok } = cliIn(() => ({ cwd: dir }));
  const json = (result: CliResult) => JSON.parse(result.stdout);

  beforeEach(async () => {
    ({ dir, cleanup } = await tempProject());
  });
  afterEach(() => cleanup());

  // Three rounds: a lost update shows up as a missing event, a gap in seq or a broken alias chain.
  for (const round of [1, 2, 3]) {
    it(`records every one of 20 simultaneous pushes and releases (round ${round})`, async () => {
      for (let v = 1; v <= 20; v++) await writeFile(join(dir, `m${v}.bin`), randomBytes(512));
      for (let v = 1; v <= 10; v++)
        await ok("registry", "push", `m${v}.bin`, "--name", "race", "--version", String(v));
      const jobs = [
        ...Array.from({ length: 10 }, (_, i) => [
          "registry",
          "push",
          `m${i + 11}.bin`,
          "--name",
          "race",
          "--version",
          String(i + 11),
        ]),
        ...Array.from({ length: 10 }, (_, i) => ["release", "race", String(i + 1), "--as", "PROD"]),
      ];
      const results = await Promise.all(jobs.map((args) => run(...args)));
      for (const [i, r] of results.entries())
        expect(r.exitCode, `${jobs[i]?.join(" ")}\n${r.stderr}`).toBe(0);

      const events: HistoryEvent[] = json(await ok("registry", "history", "race", "-o", "json")).events;
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(
        events
          .filter((e) => e.action === "push")
          .map((e) => Number(e.version))
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const releases = events.filter((e) => e.action === "release");
      expect(releases.map((e) => Number(e.version)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      // Each move saw the one before it: no release overwrote another unseen.
      for (const [i, e] of releases.entries()) expect(e.previous).toBe(releases[i - 1]?.version);
      const shown = json(await ok("registry", "show", "race@PROD", "-o", "json"));
      expect(shown.version).toBe(releases[releases.length - 1]?.version);
      expect(json(await ok("registry", "list", "race", "-o", "json")).versions).toHaveLength(20);
      await ok("registry", "verify");
    }, 120_000);
  }

  it("stays consistent after a push is killed with SIGKILL mid-copy", async () => {
    const big = join(dir, "big.bin");
    await writeFile(big, randomBytes(1024));
    await truncate(big, 768 * 1024 * 1024);
    await writeFile(join(dir, "small.bin"), randomBytes(128));
    await ok("registry", "push", "small.bin", "--name", "big", "--version", "0");
    const home = join(dir, ".mserve-home");
    const child = spawn("node", [binPath, "registry", "push", big, "--name", "big", "--version", "1"], {
      cwd: dir,
      env: { ...process.env, MSERVE_HOME: home, NO_COLOR: "1" },
      stdio: "ignore",
    });
    const tmp = join(home, "registry", "blobs", "tmp");
    const deadline = Date.now() + 60_000;
    while ((await readdir(tmp).catch(() => [])).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const list = json(await ok("registry", "list", "big", "-o", "json"));
    expect(list.versions.map((v: { version: string }) => v.version)).toEqual(["0"]);
    const verify = json(await ok("registry", "verify", "-o", "json"));
    expect(verify.problems).toEqual([]);
    expect(verify.leftovers).toEqual([
      expect.objectContaining({ kind: "orphan", message: "temp file of an interrupted push" }),
    ]);
    await ok("registry", "push", "small.bin", "--name", "big", "--version", "0");
    await ok("release", "big", "0", "--as", "PROD");
  }, 120_000);

  it("reads a registry it cannot write and refuses changes with exit 3", async () => {
    await writeFile(join(dir, "m.bin"), randomBytes(64));
    await ok("registry", "push", "m.bin", "--name", "ro", "--version", "1");
    const home = join(dir, ".mserve-home");
    const asOther = process.getuid?.() === 0;
    // Root ignores permissions, so the check runs as nobody; another user only needs the write bits gone.
    await chmod(dir, 0o755);
    if (!asOther) await execa("chmod", ["-R", "a-w", join(home, "registry")]);
    const runReadOnly = async (...args: string[]) => {
      const argv = ["node", binPath, ...args];
      const command = asOther
        ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv]
        : argv;
      const r = await execa(command[0] as string, command.slice(1), {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: "1", CI: "1", MSERVE_HOME: home, PATH: process.env.PATH ?? "" },
      });
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    };
    try {
      const list = await runReadOnly("registry", "list", "ro", "-o", "json");
      expect(list.exitCode, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout).versions).toHaveLength(1);
      for (const args of [
        ["release", "ro", "1", "--as", "PROD"],
        ["registry", "push", join(dir, "m.bin"), "--name", "ro", "--version", "2"],
      ]) {
        const refused = await runReadOnly(...args);
        expect(refused.exitCode, `${args.join(" ")}\n${refused.stderr}`).toBe(3);
        expect(refused.stderr).toMatch(/the registry folder is not writable/);
      }
    } finally {
      if (!asOther) await execa("chmod", ["-R", "u+w", join(home, "registry")]);
    }
  });

  it("maps an unreachable MLflow server to exit 6 and a non-MLflow URL scheme to exit 2", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const down = await mserve(["registry", "list", "-o", "json"], {
      cwd: dir,
      env: { MSERVE_REGISTRY: `mlflow+http://127.0.0.1:${port}` },
    });
    expect(down.exitCode).toBe(6);
    expect(JSON.parse(down.stdout).error.code).toBe("UNREACHABLE");
    const scheme = await mserve(["registry", "list"], {
      cwd: dir,
      env: { MSERVE_REGISTRY: "s3://bucket/registry" },
    });
    expect(scheme.exitCode).toBe(2);
    expect(scheme.stderr).toMatch(/unsupported registry "s3:\/\/bucket\/registry"/);
  });

  it("reads the registry location from $MSERVE_HOME/config.yaml and rejects unknown keys there", async () => {
    const home = join(dir, ".mserve-home");
    await mkdir(home, { recursive: true });
    await writeFile(join(home, "config.yaml"), "registry:\n  backend: file\n  path: team-registry\n");
    await writeFile(join(dir, "m.bin"), randomBytes(64));
    await ok("registry", "push", "m.bin", "--name", "cfg", "--version", "1");
    expect(await readdir(join(home, "team-registry", "models"))).toEqual(["cfg"]);
    await writeFile(join(home, "config.yaml"), "registry:\n  backend: mlflow\n  uri: http://x\n");
    const bad = await run("registry", "list");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/config\.yaml: registry/);
  });
});
