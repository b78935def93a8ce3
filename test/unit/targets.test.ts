import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MserveError } from "../../src/errors.js";
import { writeRecord } from "../../src/runtime/records.js";
import type { ServerRecord } from "../../src/runtime/types.js";
import { MATRIX_END, MATRIX_START, verbMatrix } from "../../src/targets/matrix.js";
import { targetOptions } from "../../src/targets/options.js";
import { chooseTarget, requireVerb } from "../../src/targets/select.js";
import { TARGETS } from "../../src/targets/table.js";
import { type Target, type TargetDescriptor, VERBS, type Verb } from "../../src/targets/target.js";
import { repoRoot } from "../helpers/cli.js";
import { tempDirs } from "./runtime/temp-dirs.js";

const temp = tempDirs("targets");

/** The adapter method each verb needs. */
const METHOD: Record<Verb, keyof Target> = {
  init: "init",
  package: "package",
  validate: "validator",
  serve: "serve",
  deploy: "deploy",
  models: "models",
  register: "register",
  scale: "scale",
  "set-default": "setDefault",
  unregister: "unregister",
  predict: "predictor",
  bench: "predictor",
  release: "id",
  doctor: "doctor",
};

describe("the TARGETS table", () => {
  it("every adapter implements what its descriptor promises, and says why for what it lacks", async () => {
    for (const descriptor of Object.values(TARGETS) as TargetDescriptor[]) {
      const adapter = await descriptor.load();
      expect(adapter.id).toBe(descriptor.id);
      for (const verb of VERBS) {
        const can = (descriptor.capabilities as readonly string[]).includes(verb);
        if (can) expect(adapter[METHOD[verb]], `${descriptor.id} ${verb}`).toBeDefined();
        else expect(descriptor.unavailable?.[verb], `${descriptor.id} lacks ${verb}: say why`).toBeTruthy();
      }
      if (descriptor.capabilities.some((v) => v !== "validate" && v !== "package" && v !== "doctor"))
        expect(adapter.connect).toBeDefined();
    }
  });

  it("targets share a flag only with the same syntax", () => {
    for (const section of [...VERBS, "connect"] as const) expect(() => targetOptions(section)).not.toThrow();
  });

  it("the README's verb x target table is the one TARGETS declares", async () => {
    const readme = await readFile(join(repoRoot, "README.md"), "utf8");
    const start = readme.indexOf(MATRIX_START);
    const end = readme.indexOf(MATRIX_END);
    expect(start, "README has the matrix markers").toBeGreaterThan(-1);
    expect(readme.slice(start + MATRIX_START.length, end).trim()).toBe(verbMatrix());
  });

  it("a verb a target cannot do is exit 2, naming the verb, the target and who can", () => {
    const chosen = { id: "triton" as const, descriptor: TARGETS.triton, reason: "--target" };
    try {
      requireVerb(chosen, "scale");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MserveError);
      expect((error as MserveError).exitCode).toBe(2);
      expect((error as MserveError).message).toBe("`scale` is not available for triton");
      expect((error as MserveError).hint).toMatch(/instance_group.*works with: torchserve/);
    }
    expect(() => requireVerb(chosen, "predict")).not.toThrow();
  });
});

describe("choosing the target", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  /** A recorded server whose process really runs (a sleep in its own process group). */
  async function running(home: string, name: string, target: string): Promise<void> {
    const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    children.push(child);
    const record: ServerRecord = {
      name,
      target,
      runtime: "local",
      pid: child.pid as number,
      urls:
        target === "triton"
          ? { http: `http://127.0.0.1:9${children.length}00` }
          : { management: "http://127.0.0.1:8081" },
      ports: {},
      workDir: home,
      logFile: join(home, "log"),
      configFile: "",
      modelStore: home,
      tokenAuth: false,
      command: ["sleep"],
      startedAt: new Date().toISOString(),
    };
    await writeRecord({ MSERVE_HOME: home }, record);
  }

  const base = { verb: "predict" as const, needsServer: true };

  it("follows --target, then --server's kind, the registry's, MSERVE_TARGET, mserve.yaml, the running kind", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    await running(home, "tri", "triton");
    expect((await chooseTarget({ ...base, target: "kserve" }, env, home)).id).toBe("kserve");
    expect((await chooseTarget({ ...base, server: "tri" }, env, home)).id).toBe("triton");
    expect((await chooseTarget({ ...base, modelTarget: "torchserve" }, env, home)).id).toBe("torchserve");
    expect((await chooseTarget(base, { ...env, MSERVE_TARGET: "tfserving" }, home)).id).toBe("tfserving");
    await writeFile(join(home, "mserve.yaml"), "name: x\ntarget: kserve\n");
    expect((await chooseTarget(base, env, home)).id).toBe("kserve");
    const elsewhere = await temp();
    expect((await chooseTarget(base, env, elsewhere)).id).toBe("triton");
    // Commands that do not talk to a running server are not steered by one.
    expect((await chooseTarget({ verb: "serve", needsServer: false }, env, elsewhere)).id).toBe("torchserve");
  });

  it("with servers of several kinds running and nothing to choose by: exit 2 listing them", async () => {
    const home = await temp();
    await running(home, "ts", "torchserve");
    await running(home, "tri", "triton");
    const attempt = chooseTarget(base, { MSERVE_HOME: home }, home);
    await expect(attempt).rejects.toMatchObject({ code: "USAGE" });
    const error = (await attempt.catch((e: unknown) => e)) as MserveError;
    expect(error.message).toMatch(/2 servers of 2 kinds are running/);
    expect(error.hint).toMatch(/ts\s+torchserve\s+http:\/\/127\.0\.0\.1:8081/);
    expect(error.hint).toMatch(/tri\s+triton\s+http:\/\/127\.0\.0\.1:9\d00/);
    expect((await chooseTarget({ ...base, target: "triton" }, { MSERVE_HOME: home }, home)).id).toBe(
      "triton",
    );
  });

  it("an unknown target in MSERVE_TARGET or mserve.yaml is exit 2", async () => {
    const home = await temp();
    await expect(
      chooseTarget(base, { MSERVE_HOME: home, MSERVE_TARGET: "onnx" }, home),
    ).rejects.toMatchObject({
      code: "USAGE",
    });
  });
});
