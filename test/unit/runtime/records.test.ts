import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { mserveHome, runDir, serverWorkDir, validateServerName } from "../../../src/runtime/home.js";
import {
  listRecords,
  readRecord,
  recordState,
  removeRecord,
  writeRecord,
} from "../../../src/runtime/records.js";
import type { ServerRecord } from "../../../src/runtime/types.js";
import { tempDirs } from "./temp-dirs.js";

const temp = tempDirs("records");

const record = (home: string, extra: Partial<ServerRecord> = {}): ServerRecord => ({
  name: "ts1",
  target: "torchserve",
  runtime: "local",
  pid: 1234,
  urls: { inference: "http://127.0.0.1:8080" },
  ports: { inference: 8080 },
  workDir: home,
  logFile: join(home, "log"),
  configFile: join(home, "config.properties"),
  modelStore: join(home, "store"),
  tokenAuth: true,
  keyFile: join(home, "key_file.json"),
  command: ["/venv/bin/torchserve", "--start"],
  startedAt: new Date(0).toISOString(),
  ...extra,
});

describe("home", () => {
  it("is $MSERVE_HOME, else ~/.mserve, with run/ and servers/<name> under it", () => {
    expect(mserveHome({ MSERVE_HOME: "/x/h" })).toBe("/x/h");
    expect(mserveHome({ HOME: "/home/u" })).toBe("/home/u/.mserve");
    expect(mserveHome({})).toBe(join(homedir(), ".mserve"));
    expect(runDir({ MSERVE_HOME: "/x/h" })).toBe("/x/h/run");
    expect(serverWorkDir({ MSERVE_HOME: "/x/h" }, "ts1")).toBe("/x/h/servers/ts1");
  });

  it("accepts path-safe names and refuses the rest with INVALID_INPUT and a hint", () => {
    for (const good of ["a", "ci-1.a_b", "A9", "x".repeat(63)]) expect(validateServerName(good)).toBe(good);
    for (const bad of ["", "../x", "a/b", "-x", ".hidden", "_x", "a b", "x".repeat(64), "é"]) {
      expect(() => validateServerName(bad), bad).toThrow(
        expect.objectContaining({ code: "INVALID_INPUT", hint: expect.stringMatching(/letters, digits/) }),
      );
    }
    expect(() => serverWorkDir({}, "../etc")).toThrow(/invalid server name/);
  });
});

describe("run records", () => {
  it("round-trip through a 0600 file, leaving no temp files, and overwrite in place", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    await writeRecord(env, record(home));
    await writeRecord(env, record(home, { pid: 4321 }));
    expect(await readRecord(env, "ts1")).toEqual(record(home, { pid: 4321 }));
    expect(await readdir(join(home, "run"))).toEqual(["ts1.json"]);
    expect((await stat(join(home, "run", "ts1.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, "run"))).mode & 0o777).toBe(0o700);
  });

  it("a failed write leaves neither a temp file nor a changed record", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    // A folder where the record goes makes the final rename fail after the temp file was written.
    await mkdir(join(home, "run", "ts1.json"), { recursive: true });
    await expect(writeRecord(env, record(home))).rejects.toBeDefined();
    expect(await readdir(join(home, "run"))).toEqual(["ts1.json"]);
    expect((await stat(join(home, "run", "ts1.json"))).isDirectory()).toBe(true);
  });

  it("a missing record is NOT_FOUND with hints to list or start it", async () => {
    const env = { MSERVE_HOME: await temp() };
    await expect(readRecord(env, "ghost")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "no server named ghost",
      hint: expect.stringMatching(/`mserve ps`.*`mserve serve --name ghost`/),
    });
    await expect(readRecord(env, "../../etc/passwd")).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("a damaged record is INVALID_INPUT naming the file and what is wrong", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    await mkdir(join(home, "run"));
    await writeFile(join(home, "run", "bad.json"), "{not json");
    await writeFile(join(home, "run", "shape.json"), JSON.stringify({ ...record(home), pid: "12" }));
    await expect(readRecord(env, "bad")).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: `the run record ${join(home, "run", "bad.json")} is damaged (not JSON)`,
      hint: expect.stringContaining(`rm ${join(home, "run", "bad.json")}`),
    });
    await expect(readRecord(env, "shape")).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/shape\.json is damaged \(pid: /),
    });
  });

  it("listing skips temp files and reports damaged or misnamed records instead of failing", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    expect(await listRecords(env)).toEqual({ records: [], problems: [] });
    await writeRecord(env, record(home));
    await writeRecord(env, record(home, { name: "ts2" }));
    await writeFile(join(home, "run", "bad.json"), "");
    await writeFile(join(home, "run", ".ts1.json.mserve-tmp-abcd"), "{half");
    await writeFile(join(home, "run", "copy.json"), JSON.stringify(record(home)));
    const { records, problems } = await listRecords(env);
    expect(records.map((r) => r.name)).toEqual(["ts1", "ts2"]);
    expect(problems).toEqual([
      expect.stringMatching(/bad\.json is damaged \(not JSON\)/),
      expect.stringMatching(/copy\.json is damaged \(it names the server ts1\)/),
    ]);
  });

  it("remove is idempotent", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    await writeRecord(env, record(home));
    await removeRecord(env, "ts1");
    await removeRecord(env, "ts1");
    await expect(readRecord(env, "ts1")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("recordState", () => {
  it("local: a dead pid is exited; a live pid must still run the recorded program", async () => {
    const home = await temp();
    const done = execa(process.execPath, ["-e", ""]);
    await done;
    expect(await recordState(record(home, { pid: done.pid as number }))).toBe("exited");
    expect(await recordState(record(home, { pid: undefined }))).toBe("exited");
    // This test process is alive but is not torchserve: what a reused pid looks like.
    expect(await recordState(record(home, { pid: process.pid }))).toBe("exited");
    expect(await recordState(record(home, { pid: process.pid, command: [process.execPath] }))).toBe(
      "running",
    );
    // Same program installed elsewhere (a venv's copy): the basename is what is compared.
    const node = process.execPath.split("/").pop() as string;
    expect(await recordState(record(home, { pid: process.pid, command: [`/elsewhere/${node}`] }))).toBe(
      "running",
    );
  });

  it("docker: asks `docker inspect`; a missing CLI or container is exited", async () => {
    const home = await temp();
    const bin = join(home, "bin");
    await mkdir(bin);
    await writeFile(
      join(bin, "docker"),
      `#!/bin/sh\necho "$@" > "${home}/args"\n[ "$4" = live ] && echo true || { echo "Error: No such object: $4" >&2; exit 1; }\n`,
    );
    await chmod(join(bin, "docker"), 0o755);
    const env = { PATH: `${bin}:/usr/bin:/bin` };
    const docker = (containerId: string) => record(home, { runtime: "docker", pid: undefined, containerId });
    expect(await recordState(docker("live"), env)).toBe("running");
    expect(await readFile(join(home, "args"), "utf8")).toBe("inspect -f {{.State.Running}} live\n");
    expect(await recordState(docker("gone"), env)).toBe("exited");
    expect(await recordState(docker("live"), { PATH: join(home, "empty") })).toBe("exited");
  });
});
