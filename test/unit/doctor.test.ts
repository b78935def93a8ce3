import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkJava,
  checkNode,
  checkPorts,
  checkStateFolder,
  checkTorchServe,
  type DoctorEnv,
  javaMajor,
} from "../../src/doctor/checks.js";

const fakeExec =
  (answers: Record<string, { stdout?: string; stderr?: string; exitCode?: number }>): DoctorEnv["exec"] =>
  async (file, args) => {
    const key = Object.keys(answers).find((k) => `${file} ${args.join(" ")}`.includes(k));
    const a = key ? answers[key] : undefined;
    return { exitCode: a?.exitCode ?? (a ? 0 : -1), stdout: a?.stdout ?? "", stderr: a?.stderr ?? "" };
  };

async function binDir(names: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mserve-doctor-"));
  for (const name of names) {
    await writeFile(join(dir, name), "#!/bin/sh\n");
    await chmod(join(dir, name), 0o755);
  }
  return dir;
}

describe("javaMajor", () => {
  it.each([
    ['openjdk version "17.0.9" 2023-10-17', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ["no version here", undefined],
  ])("%s → %s", (text, major) => expect(javaMajor(text)).toBe(major));
});

describe("checks", () => {
  it("Node below 20.19 fails", () => {
    expect(checkNode("20.18.0").status).toBe("fail");
    expect(checkNode("20.19.0").status).toBe("pass");
    expect(checkNode("22.1.0").status).toBe("pass");
  });

  it("Java 8 fails with a fix, Java 17 passes, no java fails", async () => {
    const dir = await binDir(["java"]);
    const env = { PATH: dir };
    const old = await checkJava({
      env,
      cwd: "/",
      nodeVersion: "20.20.0",
      exec: fakeExec({ "-version": { stderr: 'java version "1.8.0_392"' } }),
    });
    expect(old).toMatchObject({ status: "fail", detail: expect.stringContaining("Java 8") });
    expect(old.fix).toMatch(/Java 17/);
    const ok = await checkJava({
      env,
      cwd: "/",
      nodeVersion: "20.20.0",
      exec: fakeExec({ "-version": { stderr: 'openjdk version "17.0.9"' } }),
    });
    expect(ok.status).toBe("pass");
    const none = await checkJava({
      env: { PATH: "/nonexistent" },
      cwd: "/",
      nodeVersion: "20.20.0",
      exec: fakeExec({}),
    });
    expect(none.status).toBe("fail");
  });

  it("torchserve: a missing torch in the worker Python fails with a pinned fix", async () => {
    const dir = await binDir(["torchserve", "python"]);
    const results = await checkTorchServe({
      env: { PATH: "/nonexistent", MSERVE_TORCHSERVE_BIN: join(dir, "torchserve") },
      cwd: "/",
      nodeVersion: "20.20.0",
      exec: fakeExec({
        "--version": { stdout: "TorchServe Version is 0.12.0" },
        "-c": { stdout: '{"torch": null, "yaml": "6.0.2", "psutil": "7.0"}' },
      }),
    });
    expect(results.map((r) => r.status)).toEqual(["pass", "fail"]);
    expect(results[1]?.fix).toContain("torch==2.13.0");
  });

  it("an unwritable state folder fails", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "mserve-doctor-")), "not-a-dir");
    await writeFile(file, "");
    const result = await checkStateFolder({ MSERVE_HOME: join(file, "home") });
    expect(result.status).toBe("fail");
    expect(result.fix).toMatch(/MSERVE_HOME/);
  });

  it("a taken port is a warning naming the port", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await checkPorts([port]);
      expect(result.status).toBe("warn");
      expect(result.detail).toContain(String(port));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
