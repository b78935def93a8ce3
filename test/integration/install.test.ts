import { cp, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * mserve as a user gets it: `npm pack` (which builds dist/ through `prepare`),
 * the tarball installed into a fresh prefix, and the installed `mserve` run
 * from a folder outside the repository: help, init, package, inspect,
 * validate, then serve → deploy → predict → stop on a real TorchServe.
 */
const missing = torchserveMissing();
requireOrSkip(missing);

describe("the packed tarball, installed into a fresh prefix", () => {
  let root: string;
  let bin: string;
  let work: string;
  const mserve = (args: string[], env: Record<string, string> = {}) =>
    execa(bin, args, {
      cwd: work,
      reject: false,
      // No repository venv on PATH, no repository folder around: only what the user would have.
      env: {
        PATH: `${join(root, "prefix", "bin")}:/usr/bin:/bin`,
        HOME: root,
        MSERVE_HOME: join(root, "home"),
        NO_COLOR: "1",
        CI: "1",
        ...env,
      },
      extendEnv: false,
    });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mserve-install-"));
    // dist/ is already built (npm test builds it); rebuilding here would pull it from under other tests.
    await execa("npm", ["pack", "--pack-destination", root, "--silent", "--ignore-scripts"], {
      cwd: repoRoot,
    });
    const [tarball] = (await readdir(root)).filter((f) => f.endsWith(".tgz"));
    await execa(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        join(root, "prefix"),
        join(root, tarball as string),
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
      ],
      { cwd: root },
    );
    bin = join(root, "prefix", "bin", "mserve");
    work = join(root, "work");
    await mkdir(work);
  }, 240_000);
  afterAll(async () => {
    await mserve(["stop", "--all"]);
    await rm(root, { recursive: true, force: true });
  });

  it("answers --version and --help, and scaffolds, packages, inspects and validates outside the repo", async () => {
    const version = await mserve(["--version"]);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await mserve(["--help"])).stdout).toContain("Exit codes:");
    expect((await mserve(["init", "intent"])).exitCode).toBe(0);
    // The user brings the trained model: the fixture's weights, vocabulary, labels and model class.
    for (const file of ["model.pt", "model.py", "vocab.json", "index_to_name.json"])
      await cp(join(repoRoot, "fixtures", "intent", file), join(work, "intent", file));
    const packaged = await execa(bin, ["package", "-o", "json"], {
      cwd: join(work, "intent"),
      reject: false,
      env: { PATH: "/usr/bin:/bin", MSERVE_HOME: join(root, "home"), CI: "1" },
      extendEnv: false,
    });
    expect(packaged.exitCode, packaged.stderr).toBe(0);
    expect(JSON.parse(packaged.stdout).manifest.model.modelName).toBe("intent");
    expect((await mserve(["inspect", "intent/intent.mar"])).stdout).toContain("MAR-INF/MANIFEST.json");
    expect((await mserve(["validate", "intent/intent.mar"])).exitCode).toBe(0);
  });

  it.skipIf(Boolean(missing))(
    "serves, deploys, predicts and stops with a runtime present",
    async () => {
      const env = { MSERVE_TORCHSERVE_BIN: torchserveBin(), JAVA_HOME: process.env.JAVA_HOME ?? "" };
      const served = await mserve(["serve", "--ports", "auto"], env);
      expect(served.exitCode, served.stderr).toBe(0);
      expect((await mserve(["deploy", "intent/intent.mar"], env)).exitCode).toBe(0);
      const predicted = await mserve(
        ["predict", "intent", "--data", "set a timer for ten minutes", "-o", "json"],
        env,
      );
      expect(predicted.exitCode, predicted.stderr).toBe(0);
      expect(JSON.parse(predicted.stdout).response.intent).toBe("set_timer");
      expect((await mserve(["stop"], env)).exitCode).toBe(0);
    },
    180_000,
  );

  it("installs from git the way the README says (npm pack of the git URL, then -g of the tarball)", async () => {
    const from = join(root, "from-git");
    await mkdir(from);
    // A plain `npm install -g git+…` hits npm/cli#3692 and #8440: under -g npm prepares a git
    // package without its dev dependencies. Packing the git URL prepares it as a project.
    await execa("npm", ["pack", `git+file://${repoRoot}`, "--silent"], { cwd: from });
    const [tarball] = (await readdir(from)).filter((f) => f.endsWith(".tgz"));
    await execa(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        join(from, "prefix"),
        join(from, tarball as string),
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
      ],
      { cwd: from },
    );
    const version = await execa(join(from, "prefix", "bin", "mserve"), ["--version"], { reject: false });
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  }, 180_000);

  it("mserve setup torchserve in an empty MSERVE_HOME, then serve, deploy and predict with no venv of the repo", async () => {
    const home = { MSERVE_HOME: join(root, "setup-home"), JAVA_HOME: process.env.JAVA_HOME ?? "" };
    const setup = await mserve(["setup", "torchserve", "-o", "json"], home);
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(JSON.parse(setup.stdout)).toMatchObject({ runtime: "torchserve", status: "created" });
    const again = await mserve(["setup", "torchserve", "-o", "json"], home);
    expect(JSON.parse(again.stdout).status).toBe("unchanged");
    const served = await mserve(["serve", "--name", "managed", "--ports", "auto", "-o", "json"], home);
    expect(served.exitCode, served.stderr).toBe(0);
    expect(JSON.parse(served.stdout).command[0]).toContain(
      join(root, "setup-home", "runtimes", "torchserve"),
    );
    expect((await mserve(["deploy", "intent/intent.mar"], home)).exitCode).toBe(0);
    const predicted = await mserve(["predict", "intent", "--data", "play some jazz", "-o", "json"], home);
    expect(predicted.exitCode, predicted.stderr).toBe(0);
    expect(JSON.parse(predicted.stdout).response.intent).toBe("play_music");
    expect((await mserve(["stop", "managed"], home)).exitCode).toBe(0);
  }, 300_000);
});
