import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isGroupAlive, startDetached, stopProcessGroup } from "../../../src/runtime/supervisor.js";
import { waitUntil } from "../../../src/runtime/wait.js";
import { tempDirs } from "./temp-dirs.js";

const temp = tempDirs("supervisor");

/** Starts `node -e script` detached, and waits until it has logged `ready`. */
async function startNode(script: string) {
  const dir = await temp();
  const logFile = join(dir, "out.log");
  const child = await startDetached({
    file: process.execPath,
    args: ["-e", script],
    cwd: dir,
    env: { PATH: process.env.PATH, MARK: "from-spec" },
    logFile,
  });
  const log = () => readFile(logFile, "utf8");
  await waitUntil(async () => ((await log()).includes("ready") ? true : undefined), {
    timeoutMs: 5_000,
    intervalMs: 20,
    what: "the child to log ready",
  });
  return { ...child, dir, logFile, log };
}

/** Running, as opposed to gone or a zombie waiting for init to reap it. */
const running = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
};

describe("startDetached + stopProcessGroup", () => {
  it("runs in its own group with output appended to the log, and stops gracefully on SIGTERM", async () => {
    const dir = await temp();
    await writeFile(join(dir, "out.log"), "earlier run\n");
    const logFile = join(dir, "out.log");
    const { pid, exited } = await startDetached({
      file: process.execPath,
      args: [
        "-e",
        "console.log('ready', process.cwd(), process.env.MARK); console.error('on stderr'); setInterval(() => {}, 1000)",
      ],
      cwd: dir,
      env: { PATH: process.env.PATH, MARK: "from-spec" },
      logFile,
    });
    await waitUntil(
      async () => ((await readFile(logFile, "utf8")).includes("on stderr") ? true : undefined),
      {
        timeoutMs: 5_000,
        intervalMs: 20,
        what: "the child to log",
      },
    );
    const log = await readFile(logFile, "utf8");
    expect(log).toContain("earlier run\n");
    expect(log).toContain(`ready ${dir} from-spec`);
    // The log is the child's own descriptor, not a pipe through this process that would die with the CLI.
    expect(await readlink(`/proc/${pid}/fd/1`)).toBe(logFile);
    expect(await readlink(`/proc/${pid}/fd/2`)).toBe(logFile);
    // Field 5 of /proc/<pid>/stat is the process group: the child leads its own.
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2])).toBe(pid);
    expect(isGroupAlive(pid)).toBe(true);

    expect(await stopProcessGroup(pid, { graceMs: 5_000 })).toEqual({ forced: false });
    expect(isGroupAlive(pid)).toBe(false);
    expect(await exited).toEqual({ signal: "SIGTERM" });
  });

  it("stops the whole group, grandchildren included", async () => {
    const child = await startNode(
      `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
       console.log('ready', c.pid); setInterval(() => {}, 1000)`,
    );
    const grandchild = Number(/ready (\d+)/.exec(await child.log())?.[1]);
    expect(await running(grandchild)).toBe(true);
    expect(await stopProcessGroup(child.pid, { graceMs: 5_000 })).toEqual({ forced: false });
    // Gone, or a zombie left for init to reap (this VM's init reaps about once a second).
    expect(await running(grandchild)).toBe(false);
    expect(isGroupAlive(child.pid)).toBe(false);
    await child.exited;
  });

  it("kills a group that ignores SIGTERM once the grace period is over", async () => {
    const child = await startNode(
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    );
    const started = Date.now();
    expect(await stopProcessGroup(child.pid, { graceMs: 300 })).toEqual({ forced: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(isGroupAlive(child.pid)).toBe(false);
    expect(await child.exited).toEqual({ signal: "SIGKILL" });
  });

  it("an abort ends the wait with INTERRUPTED, leaving the server to finish on its own", async () => {
    const child = await startNode(
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      stopProcessGroup(child.pid, { graceMs: 10_000, signal: controller.signal }),
    ).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(isGroupAlive(child.pid)).toBe(true);
    expect(await stopProcessGroup(child.pid, { graceMs: 0 })).toEqual({ forced: true });
    await child.exited;
  });

  it("stopping a group that is already gone is immediate and not forced", async () => {
    const child = await startNode("console.log('ready')");
    await child.exited;
    expect(isGroupAlive(child.pid)).toBe(false);
    expect(await stopProcessGroup(child.pid, { graceMs: 10_000 })).toEqual({ forced: false });
  });
});

describe("isGroupAlive", () => {
  it("a group left with only an unreaped zombie counts as gone", async () => {
    // `setsid sleep` leads its own group and exits once the shell has become `sleep 30`,
    // a parent that never reaps it.
    const parent = spawn("sh", ["-c", "setsid sleep 0.2 & echo $!; exec sleep 30"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(parent.stdout, "data")) as [Buffer];
      const zombie = Number(line.toString().trim());
      expect(isGroupAlive(zombie)).toBe(true);
      await waitUntil(
        async () => (await readFile(`/proc/${zombie}/stat`, "utf8")).includes(") Z ") || undefined,
        {
          timeoutMs: 2_000,
          intervalMs: 10,
          what: "the zombie",
        },
      );
      expect(() => process.kill(-zombie, 0)).not.toThrow();
      expect(isGroupAlive(zombie)).toBe(false);
      expect(isGroupAlive(parent.pid as number)).toBe(true);
    } finally {
      parent.kill("SIGKILL");
      await once(parent, "exit");
    }
  });
});

describe("startDetached failures are clear errors, raised before returning", () => {
  it.each([
    ["a missing program", "NOT_FOUND", /cannot start .*nope: no such program/],
    ["a file that is not executable", "INVALID_INPUT", /cannot start .*plain: permission denied/],
  ])("%s", async (what, code, message) => {
    const dir = await temp();
    await writeFile(join(dir, "plain"), "#!/bin/sh\n");
    await chmod(join(dir, "plain"), 0o644);
    const file = join(dir, what.includes("missing") ? "nope" : "plain");
    await expect(
      startDetached({ file, args: [], cwd: dir, env: {}, logFile: join(dir, "l") }),
    ).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it("a missing working folder or log folder", async () => {
    const dir = await temp();
    const spec = { file: process.execPath, args: ["-e", ""], env: {} };
    await expect(
      startDetached({ ...spec, cwd: join(dir, "gone"), logFile: join(dir, "l") }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("is not a folder") });
    await expect(startDetached({ ...spec, cwd: dir, logFile: join(dir, "gone", "l") })).rejects.toMatchObject(
      { code: "INVALID_INPUT", message: expect.stringContaining("log file not found") },
    );
  });
});
