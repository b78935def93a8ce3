import { chmod, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, cliIn, json, repoRoot, tempProject } from "../helpers/cli.js";
import { mlflowMissing, type RunningMlflow, startMlflow } from "../helpers/mlflow.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * Releases end to end: the registry (embedded, then a real MLflow server) moves
 * PROD, and `mserve predict intent PROD` follows it on a real TorchServe,
 * registering the version itself when the server lacks it.
 */
const missing = torchserveMissing() ?? mlflowMissing();
requireOrSkip(missing, "the release tests");

const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");

for (const backend of ["file", "mlflow"] as const) {
  describe.skipIf(Boolean(missing))(`releases with the ${backend} registry on a real TorchServe`, () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let mlflow: RunningMlflow | undefined;
    let accessLog: string;
    const env: Record<string, string> = { MSERVE_TORCHSERVE_BIN: torchserveBin() };
    const { run, ok } = cliIn(() => ({ cwd: dir, env }));
    const predictionsSeen = async (version: string) =>
      (await readFile(accessLog, "utf8"))
        .split("\n")
        .filter((l) => l.includes(`"POST /predictions/intent/${version} `)).length;
    const registered = async () =>
      json(await ok("models", "intent", "-o", "json"))
        .models.map((m: { modelVersion: string }) => m.modelVersion)
        .sort();

    beforeAll(async () => {
      ({ dir, cleanup } = await tempProject("intent"));
      if (backend === "mlflow") {
        mlflow = await startMlflow(join(dir, "mlflow"));
        env.MSERVE_REGISTRY = `mlflow+${mlflow.url}`;
      }
      for (const v of ["1", "2", "3"])
        await ok("package", "--handler", handler, "-v", v, "--export-path", `v${v}`);
      for (const v of ["1", "2"]) await ok("registry", "push", `v${v}/intent.mar`);
      await ok("release", "intent", "1", "--as", "PROD");
      const served = json(
        await ok(
          "serve",
          "--name",
          "rel",
          "--ports",
          "auto",
          "--disable-token-auth",
          "--timeout",
          "180s",
          "-o",
          "json",
        ),
      );
      accessLog = join(dirnameOf(served.logFile), "access_log.log");
    }, 300_000);

    afterAll(async () => {
      if (dir) await run("stop", "--all");
      await mlflow?.stop();
      if (dir) await cleanup();
    });

    it("registers PROD's version on a fresh server and answers from it", async () => {
      expect(json(await ok("models", "-o", "json")).models).toEqual([]);
      const answer = json(
        await ok("predict", "intent", "PROD", "--data", "set a timer for ten minutes", "-o", "json"),
      );
      expect(answer).toMatchObject({ model: "intent", version: "1", alias: "PROD", status: 200 });
      expect(answer.response.intent).toBe("set_timer");
      expect(await registered()).toEqual(["1"]);
      expect(await predictionsSeen("1")).toBe(1);
    }, 240_000);

    it("follows PROD to v2 after a release, and back to v1 after a rollback", async () => {
      await ok("release", "intent", "2", "--as", "PROD", "--reason", "better on eval");
      const v2 = json(await ok("predict", "intent@PROD", "--data", "play some jazz", "-o", "json"));
      expect(v2).toMatchObject({ version: "2", alias: "PROD" });
      expect(v2.response.intent).toBe("play_music");
      expect(await predictionsSeen("2")).toBe(1);
      expect(await registered()).toEqual(["1", "2"]);

      const rolled = json(await ok("rollback", "intent", "--alias", "PROD", "-o", "json"));
      expect(rolled).toMatchObject({ version: "1", previous: "2" });
      json(await ok("predict", "intent", "PROD", "--data", "what's the weather tomorrow", "-o", "json"));
      expect(await predictionsSeen("1")).toBe(2);
      const history = json(await ok("registry", "history", "intent", "--alias", "PROD", "-o", "json")).events;
      expect(history.map((e: { action: string; version: string }) => `${e.action} ${e.version}`)).toEqual([
        "release 1",
        "release 2",
        "rollback 1",
      ]);
    }, 240_000);

    it("answers a batch in input order with the expected intents, all from one version, and logs it", async () => {
      const samples = (await readFile(join(dir, "samples.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      await writeFile(join(dir, "batch.jsonl"), samples.map((s) => JSON.stringify(s.text)).join("\n"));
      const batch = await ok(
        "predict",
        "intent@PROD",
        "--batch",
        "batch.jsonl",
        "-c",
        "4",
        "--group-id",
        `g-${backend}`,
      );
      const lines = batch.stdout.split("\n").map((l) => JSON.parse(l));
      expect(lines.map((l) => l.line)).toEqual(samples.map((_, i) => i + 1));
      expect(lines.map((l) => l.response.intent)).toEqual(samples.map((s) => s.intent));
      const logged = json(await ok("logs", "predictions", "--group", `g-${backend}`, "-o", "json"));
      expect(logged.matched).toBe(samples.length);
      expect(new Set(logged.predictions.map((p: { version: string }) => p.version))).toEqual(new Set(["1"]));
      const first = logged.predictions[0];
      expect(first.inputSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(first.modelId).toMatch(/^[0-9a-z]{10}$/);

      await writeFile(join(dir, "empty.jsonl"), "\n\n");
      const empty = await run("predict", "intent@PROD", "--batch", "empty.jsonl");
      expect(empty.exitCode).toBe(3);
      expect(empty.stderr).toMatch(/no inputs in empty\.jsonl/);
      await writeFile(join(dir, "mixed.jsonl"), '"set a timer"\nnot json\n');
      const mixed = await run("predict", "intent@PROD", "--batch", "mixed.jsonl", "-o", "json");
      expect(mixed.exitCode).toBe(3);
      // One JSON document on stdout: the error, carrying every line's result.
      const doc = json(mixed);
      expect(doc.error.details.results.map((r: { status: string }) => r.status)).toEqual(["ok", "error"]);

      await ok("feedback", first.requestId, "--label", "set_timer", "--comment", "checked by hand");
      const withFeedback = json(
        await ok("logs", "predictions", "--group", `g-${backend}`, "-o", "json"),
      ).predictions;
      expect(
        withFeedback.find((p: { requestId: string }) => p.requestId === first.requestId).feedback,
      ).toMatchObject({
        label: "set_timer",
        comment: "checked by hand",
      });
    }, 240_000);

    it("never mixes versions in a batch when PROD moves mid-batch", async () => {
      const text = Array.from({ length: 150 }, (_, i) => JSON.stringify(`set a timer for ${i} minutes`)).join(
        "\n",
      );
      await writeFile(join(dir, "long.jsonl"), text);
      const batch = execa(
        "node",
        [
          binPath,
          "predict",
          "intent@PROD",
          "--batch",
          "long.jsonl",
          "-c",
          "1",
          "--group-id",
          `mid-${backend}`,
        ],
        {
          cwd: dir,
          reject: false,
          env: { NO_COLOR: "1", CI: "1", MSERVE_HOME: join(dir, ".mserve-home"), ...env },
        },
      );
      // Move PROD once the batch has started answering.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const seen = json(await ok("logs", "predictions", "--group", `mid-${backend}`, "-o", "json")).matched;
        if (seen > 5) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await ok("release", "intent", "2", "--as", "PROD");
      const done = await batch;
      expect(done.exitCode, done.stderr).toBe(0);
      const logged = json(
        await ok("logs", "predictions", "--group", `mid-${backend}`, "--tail", "1000", "-o", "json"),
      );
      expect(logged.matched).toBe(150);
      expect(new Set(logged.predictions.map((p: { version: string }) => p.version))).toEqual(new Set(["1"]));
      expect(json(await ok("registry", "show", "intent@PROD", "-o", "json")).version).toBe("2");
    }, 240_000);

    it("refuses to register without --auto-register (exit 4) and a corrupt artifact (exit 3)", async () => {
      await ok("registry", "push", "v3/intent.mar");
      const off = await run("predict", "intent:3", "--data", "hi", "--no-auto-register");
      expect(off.exitCode).toBe(4);
      expect(off.stderr).toMatch(/intent:3 resolves to intent:3, which is not on /);
      await corrupt(await artifactOf("intent:3"));
      const bad = await run("predict", "intent:3", "--data", "hi");
      expect(bad.exitCode, bad.stderr).toBe(3);
      expect(bad.stderr).toMatch(/corrupt/);
      expect(await registered()).not.toContain("3");
      const store = json(await ok("ps", "-o", "json")).servers[0].modelStore;
      expect((await readdir(store)).filter((f) => f.startsWith("intent-3-"))).toEqual([]);
    }, 240_000);

    it("packages with --register, then deploys and describes by alias", async () => {
      const packaged = json(
        await ok(
          "package",
          "--handler",
          handler,
          "-v",
          "4",
          "--export-path",
          "v4",
          "--register",
          "-o",
          "json",
        ),
      );
      expect(packaged.registry).toMatchObject({ status: "created", name: "intent", version: "4" });
      await ok("release", "intent", "4", "--as", "STG");
      const deployed = json(await ok("deploy", "intent@STG", "-o", "json"));
      expect(deployed).toMatchObject({ name: "intent", version: "4", status: "deployed" });
      expect(deployed.sha256).toBe(packaged.registry.artifact.sha256);
      const described = json(await ok("models", "intent", "STG", "-o", "json")).models;
      expect(described.map((m: { modelVersion: string }) => m.modelVersion)).toEqual(["4"]);
      const missingAlias = await run("deploy", "intent@CANARY");
      expect(missingAlias.exitCode).toBe(4);
    }, 240_000);

    /** The bytes the backend keeps for a version: the blob, or the file MLflow's artifact proxy stored. */
    async function artifactOf(ref: string): Promise<string> {
      const shown = json(await ok("registry", "show", ref, "-o", "json"));
      if (backend === "file") return shown.location;
      const rel = String(shown.location).replace(/^mlflow-artifacts:\/+/, "");
      return join((mlflow as RunningMlflow).artifacts, rel);
    }
  });
}

async function corrupt(path: string): Promise<void> {
  const bytes = await readFile(path);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
  await chmod(path, 0o644);
  await writeFile(path, bytes);
}

const dirnameOf = (file: string) => file.slice(0, file.lastIndexOf("/"));
