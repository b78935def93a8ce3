import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mserve, repoRoot, tempProject } from "../helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempProject());
});
afterAll(() => cleanup());

describe("the CLI contract", () => {
  it("prints its version", async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const r = await mserve([flag], { cwd: dir });
      expect(r).toMatchObject({ exitCode: 0, stdout: pkg.version });
    }
  });

  it("documents commands, examples and exit codes in --help", async () => {
    const r = await mserve(["--help"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    for (const text of [
      "package",
      "inspect",
      "validate",
      "unpack",
      "init",
      "completion",
      "registry",
      "release",
      "rollback",
      "feedback",
      "Exit codes:",
      "130  interrupted",
    ]) {
      expect(r.stdout).toContain(text);
    }
    const sub = await mserve(["package", "--help"], { cwd: dir });
    expect(sub.stdout).toMatch(/Examples:\n {2}mserve package/);
    expect(sub.stdout).toContain("--archive-format <format>");
    // A subcommand is built alone (start-up); its group's help and a typo still see every sibling.
    const show = await mserve(["registry", "show", "--help"], { cwd: dir });
    expect(show.stdout).toMatch(/Usage: mserve registry show \[options\] \[ref\]/);
    const group = await mserve(["registry", "--help"], { cwd: dir });
    for (const name of ["push", "list", "show", "rm", "verify", "history"])
      expect(group.stdout).toContain(name);
    const typo = await mserve(["registry", "shw"], { cwd: dir });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'shw'[\s\S]*Did you mean show\?/);
  });

  it("stops quietly when the reader of its output goes away (`mserve --help | true`)", async () => {
    const bin = join(repoRoot, "bin", "mserve.js");
    // `true` exits before mserve writes: the write meets a closed pipe (EPIPE).
    const piped = await execa(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${bin}" --help | true`],
      {
        reject: false,
      },
    );
    expect(piped.stderr).toBe("");
    expect(piped.exitCode).toBe(0);
  });

  it("turns usage mistakes into exit 2, as JSON when asked", async () => {
    const unknown = await mserve(["deploi"], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'deploi'/);
    const flag = await mserve(["package", "--bogus"], { cwd: dir });
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/);
    const json = await mserve(["-o", "json", "inspect"], { cwd: dir });
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: "USAGE", message: expect.stringMatching(/missing required argument/) },
    });
    const choice = await mserve(["package", "--archive-format", "rar"], { cwd: dir });
    expect(choice.exitCode).toBe(2);
  });

  it("generates completion scripts that name the real flags", async () => {
    const bash = await mserve(["completion", "bash"], { cwd: dir });
    expect(bash.exitCode).toBe(0);
    expect(bash.stdout).toContain("complete -o default -F _mserve mserve");
    expect(bash.stdout).toContain(
      '--archive-format) COMPREPLY=($(compgen -W "default zip-store tgz no-archive"',
    );
    // The registry group completes its subcommands.
    expect(bash.stdout).toContain('compgen -W "push list show rm verify history"');
    await execa("bash", ["-n"], { input: bash.stdout });
    const zsh = await mserve(["completion", "zsh"], { cwd: dir });
    expect(zsh.stdout).toMatch(/^#compdef mserve/);
    expect(zsh.stdout).toContain("'--preserve-paths[keep extra files");
    const fish = await mserve(["completion", "fish"], { cwd: dir });
    expect(fish.stdout).toContain(
      "complete -c mserve -n '__fish_seen_subcommand_from package' -l archive-format -x -a 'default zip-store tgz no-archive'",
    );
    expect((await mserve(["completion", "tcsh"], { cwd: dir })).exitCode).toBe(2);
  });
});

describe("mserve doctor", () => {
  it("fails with exit 3 and one JSON document carrying every check when torchserve is missing", async () => {
    const { dir, cleanup } = await tempProject();
    try {
      const result = await mserve(["doctor", "-o", "json"], {
        cwd: dir,
        env: { MSERVE_TORCHSERVE_BIN: join(dir, "no-torchserve"), VIRTUAL_ENV: "" },
      });
      expect(result.exitCode).toBe(3);
      const { error } = JSON.parse(result.stdout);
      expect(error.message).toMatch(/torchserve/);
      const ids = error.details.checks.map((c: { id: string }) => c.id);
      expect(ids).toEqual(expect.arrayContaining(["node", "java", "torchserve", "ports", "docker", "state"]));
    } finally {
      await cleanup();
    }
  });
});
