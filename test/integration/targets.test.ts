import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/errors.js";
import { TARGETS } from "../../src/targets/table.js";
import { VERBS, type Verb } from "../../src/targets/target.js";
import { locateTriton } from "../../src/targets/triton/locate.js";
import {
  type CliResult,
  expectOk,
  mserve,
  repoRoot,
  stopAllAndCleanup,
  tempProject,
} from "../helpers/cli.js";
import { kserveMissing, type RunningKserve, startKserve } from "../helpers/kserve.js";
import { mlserverBin, mlserverMissing } from "../helpers/mlserver.js";
import { requireOrSkip } from "../helpers/python.js";
import { torchserveBin, torchserveMissing } from "../helpers/torchserve.js";

/**
 * The verb × target matrix, walked with every server running at once: a real
 * TorchServe, a real tritonserver, KServe's own model server, a real MLServer,
 * TF Serving's and kubectl's documented-API stand-ins. Each cell either works on its own target
 * or is exit 2 "not available for"; with several kinds running and no
 * --target, a command stops instead of picking one. Every command's -o json
 * output, on success and on failure, is exactly one document.
 */
const triton = locateTriton({ ...process.env, PATH: "" }, repoRoot);
const missing =
  torchserveMissing() ??
  (triton ? undefined : "tritonserver (nvidia-pytriton in .venv-triton) not found") ??
  kserveMissing() ??
  mlserverMissing();
requireOrSkip(missing, "the target matrix");

const CODE_BY_EXIT = Object.fromEntries(Object.entries(EXIT_CODES).map(([code, exit]) => [exit, code]));

/** stdout as exactly one JSON document: a second document (or stray text) does not parse. */
function oneDocument(result: CliResult, what: string): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `${what}: stdout is not one JSON document (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

describe.skipIf(Boolean(missing))("every verb on every target, all servers running", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let kserve: RunningKserve;
  let tfBase: string;
  const fakeKubectl = join(repoRoot, "test", "fixtures", "fake-kubectl");
  const env = () => ({
    MSERVE_TORCHSERVE_BIN: torchserveBin(),
    MSERVE_TRITONSERVER_BIN: triton?.bin ?? "",
    MSERVE_TFSERVING_BIN: join(repoRoot, "test", "fixtures", "fake-tfserving", "tensorflow_model_server"),
    MSERVE_MLSERVER_BIN: mlserverBin,
    PATH: `${fakeKubectl}:${process.env.PATH ?? ""}`,
    KUBECTL_RECORD: join(dir, "kubectl.jsonl"),
  });
  const run = (...args: string[]) => mserve(args, { cwd: dir, env: env() });
  const json = async (...args: string[]) => {
    const result = await run(...args, "-o", "json");
    const doc = oneDocument(result, `mserve ${args.join(" ")}`);
    return { result, doc };
  };
  const ok = async (...args: string[]) => {
    const { result, doc } = await json(...args);
    expectOk(result, args);
    return doc;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    await cp(join(repoRoot, "fixtures", "intent"), join(dir, "intent"), { recursive: true });
    await cp(join(repoRoot, "fixtures", "tfserving", "linear"), join(dir, "linear"), { recursive: true });
    await cp(join(repoRoot, "fixtures", "mlserver"), join(dir, "mlfx"), { recursive: true });
    const handler = join(repoRoot, "templates", "torchserve", "text_classifier.py");
    const [started] = await Promise.all([
      startKserve(),
      ok("serve", "--name", "ts", "--ports", "auto"),
      ok("serve", "--target", "triton", "--name", "tri", "--ports", "auto"),
      ok("serve", "--target", "tfserving", "--name", "tfs", "--ports", "auto", "--config-poll", "1"),
      // Inference in the server process: one model, and two cores shared by five servers.
      ok("serve", "--target", "mlserver", "--name", "mls", "--ports", "auto", "--parallel-workers", "0"),
    ]);
    kserve = started;
    await ok("package", "--config", "intent/mserve.yaml", "--handler", handler, "--export-path", "dist");
    await ok("package", "--target", "triton", "--config", "intent/mserve.yaml", "--repository", "repo");
    await ok(
      "package",
      "--target",
      "mlserver",
      "--model-name",
      "iris",
      "-v",
      "1",
      "--serialized-file",
      "mlfx/iris/model.joblib",
      "--repository",
      "mlrepo",
      "--register",
      "--export-path",
      "dist",
    );
    await Promise.all([
      ok("deploy", "dist/intent.mar", "--target", "torchserve"),
      ok("deploy", "repo/intent", "--target", "triton"),
      ok("deploy", "linear", "--target", "tfserving", "--model-name", "linear", "--model-version", "1"),
      ok("deploy", "mlrepo/iris/1", "--target", "mlserver"),
    ]);
    await ok("registry", "push", "dist/intent.mar");
    const servers = (await ok("ps")).servers as { name: string; modelStore: string }[];
    tfBase = servers.find((s) => s.name === "tfs")?.modelStore as string;
  }, 300_000);

  afterAll(async () => {
    kserve?.stop();
    await stopAllAndCleanup(dir, run, cleanup);
  });

  /** How each cell is exercised: the arguments for a target that can, checked to work on that target. */
  const cells = (): Record<Verb, Partial<Record<string, string[]>>> => ({
    init: {
      torchserve: ["init", "init-ts"],
      mlserver: ["init", "init-ml", "--template", "custom"],
      triton: ["init", "init-tr", "--template", "python"],
    },
    package: {
      torchserve: [
        "package",
        "--config",
        "intent/mserve.yaml",
        "--handler",
        join(repoRoot, "templates", "torchserve", "text_classifier.py"),
        "--export-path",
        "out",
        "-v",
        "2",
      ],
      triton: ["package", "--config", "intent/mserve.yaml", "--repository", "repo2"],
      tfserving: ["package", "--saved-model", "linear", "--model-name", "lin", "-v", "1", "--base", "base2"],
      kserve: [
        "package",
        "--model-name",
        "intent",
        "--storage-uri",
        "s3://models/intent",
        "--export-path",
        "out",
      ],
      mlserver: [
        "package",
        "--model-name",
        "iris",
        "-v",
        "2",
        "--serialized-file",
        "mlfx/iris/model-v2.joblib",
        "--repository",
        "mlrepo",
      ],
    },
    validate: {
      torchserve: ["validate", "dist/intent.mar"],
      triton: ["validate", "repo"],
      tfserving: ["validate", "base2/models.config"],
      kserve: ["validate", "out/intent.yaml"],
      mlserver: ["validate", "mlrepo"],
    },
    serve: {
      torchserve: ["serve", "--dry-run"],
      triton: ["serve", "--dry-run"],
      tfserving: ["serve", "--dry-run"],
      kserve: ["serve", "--dry-run"],
      mlserver: ["serve", "--dry-run"],
    },
    deploy: {
      torchserve: ["deploy", "dist/intent.mar"],
      triton: ["deploy", "repo/intent"],
      tfserving: ["deploy", "linear", "--model-name", "linear", "--model-version", "2"],
      kserve: ["deploy", "--model-name", "intent", "--storage-uri", "s3://models/intent"],
      mlserver: ["deploy", "mlrepo/iris/2"],
    },
    models: {
      torchserve: ["models"],
      triton: ["models"],
      tfserving: ["models"],
      kserve: ["models", "intent", "--url", kserve.url],
      mlserver: ["models"],
    },
    register: { torchserve: ["register", "STORE/intent-v2.mar", "--model-name", "intent2"] },
    scale: { torchserve: ["scale", "intent:1", "--min", "1", "--max", "1", "--wait"] },
    "set-default": { torchserve: ["set-default", "intent", "1"] },
    unregister: {
      torchserve: ["unregister", "intent2", "--yes"],
      triton: ["unregister", "intent", "--yes"],
      tfserving: ["unregister", "linear", "--yes"],
      kserve: ["unregister", "intent", "--yes"],
      mlserver: ["unregister", "iris:2", "--yes"],
    },
    predict: {
      torchserve: ["predict", "intent", "1", "--data", "set a timer for ten minutes"],
      triton: ["predict", "intent", "1", "--data", "set a timer for ten minutes"],
      tfserving: ["predict", "linear", "2", "--data", "[[1, 2, 3]]"],
      kserve: ["predict", "intent", "--url", kserve.url, "--data", "set a timer for ten minutes"],
      mlserver: ["predict", "iris", "1", "--data", "[6.3, 3.3, 6.0, 2.5]"],
    },
    bench: {
      torchserve: ["bench", "intent", "--data", "play some jazz", "-n", "5", "-c", "1", "--warmup", "0s"],
      triton: ["bench", "intent", "--data", "play some jazz", "-n", "5", "-c", "1", "--warmup", "0s"],
      tfserving: ["bench", "linear", "--data", "[[1, 2, 3]]", "-n", "5", "-c", "1", "--warmup", "0s"],
      kserve: [
        "bench",
        "intent",
        "--url",
        kserve.url,
        "--data",
        "play some jazz",
        "-n",
        "5",
        "-c",
        "1",
        "--warmup",
        "0s",
      ],
      mlserver: ["bench", "iris", "--data", "[6.3, 3.3, 6.0, 2.5]", "-n", "5", "-c", "1", "--warmup", "0s"],
    },
    release: {
      torchserve: ["release", "intent", "1", "--as", "PROD"],
      triton: ["release", "intent", "1", "--as", "STG"],
      tfserving: ["release", "linear", "2", "--as", "stable", "--base", "BASE"],
      kserve: ["release", "intent", "1", "--as", "CANARY"],
      mlserver: ["release", "iris", "1", "--as", "PROD"],
    },
    doctor: {
      torchserve: ["doctor"],
      triton: ["doctor"],
      tfserving: ["doctor"],
      kserve: ["doctor"],
      mlserver: ["doctor"],
    },
  });

  it("walks the matrix: each cell works on its own target, or is exit 2 'not available for'", async () => {
    const store = ((await ok("ps")).servers as { name: string; modelStore: string }[]).find(
      (s) => s.name === "ts",
    )?.modelStore as string;
    // A second archive already in TorchServe's model store, for `register`.
    await ok(
      "package",
      "--config",
      "intent/mserve.yaml",
      "--handler",
      join(repoRoot, "templates", "torchserve", "text_classifier.py"),
      "--export-path",
      store,
      "--model-name",
      "intent-v2",
      "-v",
      "2",
    );
    // unregister goes last: it takes models off the servers the other cells use.
    const order = [...VERBS.filter((v) => v !== "unregister"), "unregister" as const];
    const table = cells();
    for (const verb of order) {
      for (const [id, descriptor] of Object.entries(TARGETS)) {
        const can = (descriptor.capabilities as readonly string[]).includes(verb);
        const args = (table[verb][id] ?? [verb, "intent"]).map((a) =>
          a === "STORE/intent-v2.mar" ? "intent-v2.mar" : a === "BASE" ? tfBase : a,
        );
        const what = `${verb} on ${id}: mserve ${args.join(" ")}`;
        const { result, doc } = await json(...args, "--target", id);
        if (!can) {
          expect(result.exitCode, what).toBe(2);
          expect((doc.error as { message: string }).message, what).toBe(
            `\`${verb}\` is not available for ${id}`,
          );
          continue;
        }
        if (verb === "doctor") {
          // A report of this target's own prerequisites; a missing one (no TF Serving binary here) is exit 3.
          expect([0, 3], `${what}\n${result.stdout}`).toContain(result.exitCode);
          continue;
        }
        expect(result.exitCode, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);
        if (verb === "predict" || verb === "bench") expect(doc.target, what).toBe(id);
      }
    }
    // The kubectl stand-in saw the kserve deploy, and nothing else reached it.
    const kubectl = (await readFile(join(dir, "kubectl.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(kubectl.map((c: { args: string[] }) => c.args.join(" "))).toEqual([
      "apply -f -",
      "wait --for=condition=Ready inferenceservice/intent --timeout=180s",
      "config current-context",
    ]);
  }, 600_000);

  it("with servers of several kinds running, a command without --target stops and lists them (exit 2)", async () => {
    for (const args of [
      ["predict", "intent", "--data", "hi"],
      ["models"],
      ["bench", "intent", "--data", "hi"],
    ]) {
      const { result, doc } = await json(...args);
      expect(result.exitCode).toBe(2);
      const error = doc.error as { message: string; hint: string; details: { servers: { name: string }[] } };
      expect(error.message).toMatch(/4 servers of 4 kinds are running/);
      expect(error.details.servers.map((s) => s.name).sort()).toEqual(["mls", "tfs", "tri", "ts"]);
    }
    // --server picks one by name, and its kind with it: Triton's repository index, not TorchServe's list.
    const listed = (await ok("models", "--server", "tri")).models as { name: string; state?: string }[];
    expect(listed.map((m) => m.name)).toContain("intent");
  });

  it("every command's -o json is one document, and a failure's error.code matches the exit code", async () => {
    const invocations: string[][] = [
      // successes
      ["--version"],
      ["ps"],
      ["logs", "ts", "-n", "5"],
      ["logs", "predictions", "-n", "3"],
      ["inspect", "dist/intent.mar"],
      ["unpack", "dist/intent.mar", "-d", "unpacked"],
      ["init", "fresh", "--name", "fresh"],
      ["init", "fresh-ml", "--target", "mlserver"],
      ["registry", "list"],
      ["registry", "show", "intent@PROD"],
      ["registry", "history", "intent"],
      ["registry", "verify"],
      ["rollback", "intent", "--alias", "PROD"],
      // failures, one per command family
      ["predict", "ghost", "--target", "torchserve", "--data", "x"],
      ["models", "ghost", "--target", "triton"],
      ["predict", "ghost:1", "--target", "mlserver", "--data", "[1]"],
      ["validate", "mlrepo", "--target", "mlserver", "--server", "nobody"],
      ["deploy", "nowhere.mar", "--target", "torchserve"],
      ["scale", "ghost", "--min", "1", "--target", "torchserve"],
      ["set-default", "ghost", "1", "--target", "torchserve"],
      ["register", "ghost.mar", "--target", "torchserve", "--no-wait"],
      ["unregister", "ghost", "--yes", "--target", "torchserve"],
      ["bench", "ghost", "--data", "x", "--target", "tfserving", "-n", "1"],
      ["serve", "--name", "ts"],
      ["stop", "nobody"],
      ["logs", "nobody"],
      ["logs", "ts", "--follow"],
      ["package", "--model-name", "x"],
      ["validate", "nowhere.mar"],
      ["inspect", "nowhere.mar"],
      ["unpack", "nowhere.mar", "-d", "x"],
      ["init", "fresh"],
      ["doctor", "--target", "tfserving"],
      ["release", "ghost", "1", "--as", "PROD"],
      ["rollback", "ghost", "--alias", "PROD"],
      ["feedback", "no-such-request", "--label", "ok"],
      ["registry", "push", "nowhere.mar"],
      ["registry", "show", "ghost"],
      ["registry", "rm", "ghost:1", "--yes"],
      ["registry", "history", "ghost"],
      ["completion", "bash"],
      ["no-such-command"],
    ];
    for (const args of invocations) {
      const { result, doc } = await json(...args);
      if (result.exitCode === 0) {
        expect(doc.error, `mserve ${args.join(" ")}`).toBeUndefined();
        continue;
      }
      const error = doc.error as { code: string; message: string };
      expect(error, `mserve ${args.join(" ")}: ${result.stdout}`).toBeDefined();
      expect(CODE_BY_EXIT[result.exitCode], `mserve ${args.join(" ")}: ${error.message}`).toBe(error.code);
    }
    // A prediction's request id takes feedback, as one document too.
    const predicted = await ok("predict", "intent", "--target", "torchserve", "--data", "play some jazz");
    await ok("feedback", predicted.requestId as string, "--label", "play_music");
  }, 300_000);
});
