import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  dockerAvailable,
  dockerLogsArgv,
  dockerRun,
  dockerRunning,
  dockerStop,
} from "../../../src/runtime/docker.js";
import { tempDirs } from "./temp-dirs.js";

const temp = tempDirs("docker");
const ID = "c0ffee".repeat(10).concat("abcd");

/**
 * A stand-in `docker` (there is no daemon here) first on PATH. It records each
 * call as its arguments, each ended by NUL, one call per line, then runs `body`.
 */
async function fakeDocker(body: string) {
  const dir = await temp();
  const bin = join(dir, "bin");
  await mkdir(bin);
  const calls = join(dir, "calls");
  await writeFile(join(bin, "docker"), `#!/bin/sh\n{ printf '%s\\0' "$@"; echo; } >> '${calls}'\n${body}\n`);
  await chmod(join(bin, "docker"), 0o755);
  return {
    env: { PATH: `${bin}:/usr/bin:/bin` },
    calls: async () =>
      (await readFile(calls, "utf8").catch(() => ""))
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("\0").slice(0, -1)),
  };
}

/** Fails every command with `stderr` (kept in a file: no shell quoting) and docker's usual exit status. */
async function failing(stderr: string) {
  const file = join(await temp(), "stderr");
  await writeFile(file, `${stderr}\n`);
  return fakeDocker(`cat '${file}' >&2; exit 125`);
}

describe("dockerRun", () => {
  it("runs exactly the argv given and returns the id (the last stdout line)", async () => {
    const docker = await fakeDocker(`echo 'Unable to find image locally' >&2; echo ${ID}`);
    const argv = ["run", "-d", "--name", "mserve-ts", "-e", "A=b c", "-p", "127.0.0.1:1:1", "img", "it's"];
    expect(await dockerRun(argv, docker.env)).toBe(ID);
    expect(await docker.calls()).toEqual([argv]);
  });

  it("refuses an argv that would not detach, without running docker", async () => {
    const docker = await fakeDocker(`echo ${ID}`);
    await expect(dockerRun(["run", "img"], docker.env)).rejects.toThrow(/needs "run … -d …"/);
    await expect(dockerRun(["ps", "-d"], docker.env)).rejects.toThrow(/needs "run … -d …"/);
    expect(await docker.calls()).toEqual([]);
  });

  it("output that is not a container id is an error, not a record", async () => {
    const docker = await fakeDocker("echo 'WARNING: something'");
    await expect(dockerRun(["run", "-d", "img"], docker.env)).rejects.toMatchObject({
      code: "SERVER_ERROR",
      message: expect.stringContaining("no container id"),
    });
  });

  it.each([
    [
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
      { code: "UNREACHABLE", hint: expect.stringMatching(/Start Docker/) },
    ],
    [
      "docker: Error response from daemon: driver failed programming external connectivity on endpoint mserve-ts: Bind for 127.0.0.1:8080 failed: port is already allocated.",
      { code: "CONFLICT", message: "docker run: port 8080 is already in use" },
    ],
    [
      'docker: Error response from daemon: Conflict. The container name "/mserve-ts" is already in use by container "abc". You have to remove (or rename) that container to be able to reuse that name.',
      {
        code: "CONFLICT",
        message: "a container named mserve-ts already exists",
        hint: expect.stringContaining("`docker rm -f mserve-ts`"),
      },
    ],
    [
      "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
      { code: "AUTH" },
    ],
    [
      "Unable to find image 'nope:1' locally\ndocker: Error response from daemon: pull access denied for nope",
      { code: "SERVER_ERROR", message: expect.stringContaining("pull access denied for nope") },
    ],
  ])("maps %s", async (stderr, expected) => {
    const docker = await failing(stderr);
    await expect(dockerRun(["run", "-d", "img"], docker.env)).rejects.toMatchObject(expected);
  });

  it("no docker CLI on PATH is NOT_FOUND", async () => {
    const empty = await temp();
    await expect(dockerRun(["run", "-d", "img"], { PATH: empty })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "docker CLI not found",
    });
  });
});

describe("dockerStop", () => {
  it("stops with the grace period, then removes", async () => {
    const docker = await fakeDocker("true");
    await dockerStop(ID, { timeoutSec: 7, env: docker.env });
    expect(await docker.calls()).toEqual([
      ["stop", "-t", "7", ID],
      ["rm", ID],
    ]);
  });

  it("tolerates a container that is already gone, but not a daemon that is down", async () => {
    const gone = await fakeDocker(`echo "Error response from daemon: No such container: $2" >&2; exit 1`);
    await expect(dockerStop("x", { env: gone.env })).resolves.toBeUndefined();
    expect((await gone.calls()).map((c) => c[0])).toEqual(["stop", "rm"]);
    const down = await failing("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.");
    await expect(dockerStop("x", { env: down.env })).rejects.toMatchObject({ code: "UNREACHABLE" });
  });
});

describe("dockerRunning / dockerAvailable / dockerLogsArgv", () => {
  it("reads .State.Running; an unknown container or a missing CLI is not running", async () => {
    const docker = await fakeDocker(
      `case "$4" in up) echo true;; down) echo false;; *) echo "Error: No such object: $4" >&2; exit 1;; esac`,
    );
    expect(await dockerRunning("up", docker.env)).toBe(true);
    expect(await dockerRunning("down", docker.env)).toBe(false);
    expect(await dockerRunning("ghost", docker.env)).toBe(false);
    expect((await docker.calls())[0]).toEqual(["inspect", "-f", "{{.State.Running}}", "up"]);
    expect(await dockerRunning("up", { PATH: await temp() })).toBe(false);
  });

  it("available means the daemon answers, and says why not", async () => {
    const docker = await fakeDocker("echo 27.3.1");
    expect(await dockerAvailable(docker.env)).toEqual({ available: true, serverVersion: "27.3.1" });
    expect((await docker.calls())[0]).toEqual(["version", "--format", "{{.Server.Version}}"]);
    const down = await failing("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.");
    expect(await dockerAvailable(down.env)).toMatchObject({
      available: false,
      error: { code: "UNREACHABLE" },
    });
    expect(await dockerAvailable({ PATH: await temp() })).toMatchObject({
      available: false,
      error: { code: "NOT_FOUND" },
    });
  });

  it("builds the logs argv", () => {
    expect(dockerLogsArgv(ID, { follow: true, tail: 50 })).toEqual(["logs", "--tail", "50", "--follow", ID]);
    expect(dockerLogsArgv(ID, { follow: false, tail: 0 })).toEqual(["logs", "--tail", "0", ID]);
  });
});
