import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOk, json, mserve, repoRoot, stopAllAndCleanup, tempProject } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * The whole TorchServe lifecycle through the built CLI against a real
 * TorchServe 0.12.0 that `mserve serve --runtime local` starts: once with token
 * authorization on (TorchServe's default) and once off.
 */
const missing = torchserveMissing();
requireOrSkip(missing, "the lifecycle tests");

const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");

interface Served {
  name: string;
  urls: Record<string, string>;
  modelStore: string;
  keyFile?: string;
  pid: number;
}

for (const tokenAuth of [true, false]) {
  describe.skipIf(Boolean(missing))(`TorchServe lifecycle, token auth ${tokenAuth ? "on" : "off"}`, () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let served: Served;
    const outputs: string[] = [];
    const run = async (...args: string[]) => {
      const result = await mserve(args, { cwd: dir, env: { MSERVE_TORCHSERVE_BIN: torchserveBin() } });
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const ok = async (...args: string[]) => expectOk(await run(...args), args);

    beforeAll(async () => {
      ({ dir, cleanup } = await tempProject("intent"));
      await ok("package", "--handler", handler, "--export-path", "dist");
      await ok("package", "--handler", handler, "-v", "2", "--export-path", "v2");
      // Same name and version, other content (one more file): a different content digest.
      await ok(
        "package",
        "--handler",
        handler,
        "--archive-format",
        "zip-store",
        "--extra-files",
        "vocab.json,index_to_name.json,README.md",
        "--export-path",
        "other",
      );
      const serve = await ok(
        "serve",
        "--name",
        "life",
        "--ports",
        "auto",
        ...(tokenAuth ? [] : ["--disable-token-auth"]),
        "--timeout",
        "180s",
        "-o",
        "json",
      );
      served = json(serve);
    });

    afterAll(() => stopAllAndCleanup(dir, run, cleanup));

    it("records the running server; the key file exists only with token auth", async () => {
      const ps = json(await ok("ps", "-o", "json"));
      expect(ps.servers).toMatchObject([{ name: "life", state: "running", runtime: "local" }]);
      if (tokenAuth) {
        const keys = JSON.parse(await readFile(served.keyFile as string, "utf8"));
        expect(Object.keys(keys).sort()).toEqual(["API", "inference", "management"]);
      } else {
        expect(served.keyFile).toBeUndefined();
      }
      // Without a key TorchServe refuses the request: the server really checks.
      const ping = await fetch(`${served.urls.inference}/ping`);
      expect(ping.status).toBe(tokenAuth ? 400 : 200);
    });

    it("deploys v1 until READY, and again as a no-op", async () => {
      const first = json(await ok("deploy", "dist/intent.mar", "-o", "json"));
      expect(first).toMatchObject({ name: "intent", version: "1", status: "deployed", isDefault: true });
      expect(first.workers.ready).toBeGreaterThanOrEqual(1);
      expect(await readdir(served.modelStore)).toContain(first.storeFile);
      const again = json(await ok("deploy", "dist/intent.mar", "-o", "json"));
      expect(again.status).toBe("unchanged");
      // The bare API call for the same version: TorchServe's own 409.
      const taken = await run("register", first.storeFile);
      expect(taken.exitCode).toBe(5);
      expect(taken.stderr).toMatch(/already registered for model intent \(HTTP 409\)/);
    });

    it("refuses a different archive under a deployed version (exit 5) unless --replace", async () => {
      const refused = await run("deploy", "other/intent.mar");
      expect(refused.exitCode).toBe(5);
      expect(refused.stderr).toMatch(/intent:1 is already deployed .* different archive/);
      expect(refused.stderr).toMatch(/--replace/);
      const replaced = json(await ok("deploy", "other/intent.mar", "--replace", "-o", "json"));
      expect(replaced).toMatchObject({ status: "replaced", isDefault: true });
      const back = json(await ok("deploy", "dist/intent.mar", "--replace", "-o", "json"));
      expect(back.status).toBe("replaced");
      // The replaced archive left the store; only the live one remains.
      const store = await readdir(served.modelStore);
      expect(store.filter((f) => f.startsWith("intent-1-"))).toEqual([back.storeFile]);
    });

    it("deploys v2 next to v1 and predicts by version and by default", async () => {
      const second = json(await ok("deploy", "v2/intent.mar", "-o", "json"));
      expect(second).toMatchObject({ version: "2", status: "deployed", isDefault: false });
      const models = json(await ok("models", "intent", "-o", "json"));
      expect(models.models.map((m: { modelVersion: string }) => m.modelVersion).sort()).toEqual(["1", "2"]);
      for (const version of ["1", "2", undefined]) {
        const args = [
          "predict",
          "intent",
          ...(version ? [version] : []),
          "--data",
          "set a timer for nine minutes",
        ];
        const answer = json(await ok(...args, "-o", "json"));
        expect(answer.response.intent).toBe("set_timer");
        expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
      }
      const text = await ok("predict", "intent:2", "--json", '{"text": "play some jazz"}');
      expect(JSON.parse(text.stdout).intent).toBe("play_music");
    });

    it("scales v1 to two READY workers", async () => {
      const scaled = json(
        await ok(
          "scale",
          "intent:1",
          "--min",
          "2",
          "--max",
          "2",
          "--wait",
          "--timeout",
          "120s",
          "-o",
          "json",
        ),
      );
      expect(scaled).toMatchObject({ name: "intent", version: "1", min: 2, max: 2 });
      const [v1] = json(await ok("models", "intent:1", "-o", "json")).models;
      expect(v1.workers.filter((w: { status: string }) => w.status === "READY")).toHaveLength(2);
      const table = await ok("models", "intent");
      expect(table.stdout).toMatch(/intent\s+1\s+\*\s+2\/2 READY/);
    });

    it("moves the default to v2 and unregisters v1", async () => {
      expect(json(await ok("set-default", "intent", "2", "-o", "json"))).toMatchObject({
        defaultVersion: "2",
      });
      const asked = await run("unregister", "intent:1");
      expect(asked.exitCode).toBe(2);
      expect(asked.stderr).toMatch(/--yes/);
      const removed = json(await ok("unregister", "intent:1", "--yes", "-o", "json"));
      expect(removed).toMatchObject({ name: "intent", version: "1" });
      expect(removed.removedArchive).toMatch(/^intent-1-[0-9a-f]{12}\.mar$/);
      const { models } = json(await ok("models", "-o", "json"));
      expect(models).toMatchObject([{ modelName: "intent", modelVersion: "2", isDefault: true }]);
      expect((await readdir(served.modelStore)).some((f) => f.startsWith("intent-1-"))).toBe(false);
    });

    it("shows the server log", async () => {
      const logs = await ok("logs", "life", "-n", "400");
      expect(logs.stdout).toMatch(/org\.pytorch\.serve/);
      expect(logs.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(400);
    });

    it("maps unknown models and versions to exit 4", async () => {
      expect((await run("predict", "nope", "--data", "x")).exitCode).toBe(4);
      expect((await run("scale", "intent:9", "--min", "1")).exitCode).toBe(4);
      expect((await run("models", "intent:9")).exitCode).toBe(4);
    });

    if (tokenAuth) {
      it("refreshes a stale key once, and fails with exit 9 when the key file is wrong", async () => {
        const file = served.keyFile as string;
        const keys = JSON.parse(await readFile(file, "utf8"));
        // A management key the server does not know, as after expiry: mserve refreshes through the API key.
        await writeFile(
          file,
          JSON.stringify({ ...keys, management: { ...keys.management, key: "stale000" } }),
        );
        await ok("models", "intent");
        const rotated = JSON.parse(await readFile(file, "utf8"));
        expect(rotated.management.key).not.toBe("stale000");
        // Every key wrong: the refresh is refused too, and that is an auth failure.
        const bad = { key: "wrong000", "expiration time": rotated.management["expiration time"] };
        await writeFile(file, JSON.stringify({ management: bad, inference: bad, API: { key: "wrong000" } }));
        const denied = await run("models");
        expect(denied.exitCode).toBe(9);
        expect(denied.stderr).toMatch(/key/i);
        await writeFile(file, JSON.stringify(rotated));
        for (const key of [keys.management.key, keys.inference.key, keys.API.key, rotated.management.key]) {
          for (const output of outputs) expect(output).not.toContain(key);
        }
      });
    }

    it("stops the server; ps is empty and the process is gone", async () => {
      const stopped = json(await ok("stop", "life", "-o", "json"));
      expect(stopped.stopped).toEqual([{ name: "life", result: "stopped" }]);
      expect(json(await ok("ps", "-o", "json")).servers).toEqual([]);
      expect(() => process.kill(served.pid, 0)).toThrow();
      const after = await run("models");
      expect(after.exitCode).toBe(6);
      expect(after.stderr).toMatch(/mserve serve/);
    });
  });
}
