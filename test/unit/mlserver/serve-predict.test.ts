import { describe, expect, it } from "vitest";
import type { V2Client } from "../../../src/protocols/v2/client.js";
import { v2Predictor } from "../../../src/protocols/v2/predictor.js";
import { selectGpus } from "../../../src/runtime/gpus.js";
import { mlserverServe } from "../../../src/targets/mlserver/serve.js";
import type { Hooks } from "../../../src/targets/target.js";

const hooks = (env: NodeJS.ProcessEnv): Hooks => ({
  step: () => {},
  bytes: async () => () => {},
  warn: () => {},
  confirm: async () => {},
  signal: new AbortController().signal,
  env,
  cwd: "/tmp",
});

const request = (runtime: "local" | "docker", options: Record<string, unknown> = {}) => ({
  name: "ml",
  runtime,
  ports: "9080,9081,9082",
  wait: true,
  timeoutMs: 1000,
  gpus: selectGpus(undefined, { state: "absent" }),
  options,
});

describe("serve --target mlserver", () => {
  it("starts `mlserver start REPO` on 127.0.0.1 with its settings as MLSERVER_* variables, loading nothing at start-up", async () => {
    const plan = await mlserverServe.plan(
      request("local", { parallelWorkers: 0, repository: "/models" }),
      hooks({ MSERVE_HOME: "/h", PATH: "" }),
      true,
    );
    const { command, env, urls } = plan.preview.data;
    // Nothing installed here: --dry-run still shows the command, with the bare name.
    expect(command).toEqual(["mlserver", "start", "/models"]);
    expect(env).toMatchObject({
      MLSERVER_HOST: "127.0.0.1",
      MLSERVER_HTTP_PORT: "9080",
      MLSERVER_GRPC_PORT: "9081",
      MLSERVER_METRICS_PORT: "9082",
      MLSERVER_LOAD_MODELS_AT_STARTUP: "false",
      MLSERVER_PARALLEL_WORKERS: "0",
    });
    expect(urls).toEqual({ http: "http://127.0.0.1:9080", metrics: "http://127.0.0.1:9082" });
  });

  it("publishes the container's ports on 127.0.0.1 only, and refuses ports that are not three", async () => {
    const plan = await mlserverServe.plan(request("docker"), hooks({ MSERVE_HOME: "/h" }), true);
    const argv = plan.preview.data.command.join(" ");
    expect(argv).toContain("-p 127.0.0.1:9080:8080 -p 127.0.0.1:9081:8081 -p 127.0.0.1:9082:8082");
    expect(argv).toContain("docker.io/seldonio/mlserver:1.7.1 mlserver start /mnt/models");
    await expect(
      mlserverServe.plan({ ...request("local"), ports: "1,2" }, hooks({ MSERVE_HOME: "/h" }), true),
    ).rejects.toMatchObject({ code: "USAGE" });
  });
});

describe("predicting a model that declares no inputs", () => {
  it("sends --data under the untyped input name, typed and shaped from the value", async () => {
    const client = {
      baseUrl: "http://x",
      headers: {},
      metadata: async () => ({ name: "iris", versions: [], platform: "", inputs: [], outputs: [] }),
    } as unknown as V2Client;
    const predictor = v2Predictor(client, { name: "iris", version: "1", cwd: "/", untypedInput: "input-0" });
    const row = await predictor.encode({ data: "[5.1, 3.5, 1.4, 0.2]" });
    expect((row.payload as { inputs: unknown }).inputs).toEqual([
      { name: "input-0", datatype: "FP64", shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] },
    ]);
    const rows = await predictor.encode({ data: "[[1, 2], [3, 4], [5, 6]]" });
    expect((rows.payload as { inputs: unknown }).inputs).toEqual([
      { name: "input-0", datatype: "FP64", shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
    ]);
    const text = await predictor.encode({ data: "hello" });
    expect((text.payload as { inputs: unknown }).inputs).toEqual([
      { name: "input-0", datatype: "BYTES", shape: [1, 1], data: ["hello"] },
    ]);
    // Without the option (Triton, KServe) a model with no inputs takes no --data.
    const strict = v2Predictor(client, { name: "iris", cwd: "/" });
    await expect(strict.encode({ data: "[1]" })).rejects.toMatchObject({ code: "USAGE" });
  });
});
