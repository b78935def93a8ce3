import { describe, expect, it } from "vitest";
import { MserveError } from "../../src/errors.js";
import { shellQuote } from "../../src/runtime/shell.js";
import {
  configProperties,
  DEFAULT_PORTS,
  localLaunchPlan,
  parsePorts,
} from "../../src/targets/torchserve/runtime.js";

describe("parsePorts", () => {
  it("derives gRPC ports that miss the ones given, and names a port given twice", () => {
    expect(parsePorts("18080,18091,18092")).toMatchObject({ grpcInference: 18090, grpcManagement: 18093 });
    expect(() => parsePorts("9080,9080,9082")).toThrow(/gives port 9080 twice/);
  });

  it("defaults to TorchServe's own ports", () => {
    expect(parsePorts(undefined)).toEqual(DEFAULT_PORTS);
  });
  it("moves the gRPC ports along with moved HTTP ports, so two servers cannot clash on 7070", () => {
    expect(parsePorts("9080,9081,9082")).toEqual({
      inference: 9080,
      management: 9081,
      metrics: 9082,
      grpcInference: 9090,
      grpcManagement: 9091,
    });
    expect(parsePorts("9080,9081,9082,7000,7001")).toMatchObject({
      grpcInference: 7000,
      grpcManagement: 7001,
    });
  });
  it.each(["8080,8081", "a,b,c", "0,1,2", "8080,8080,8082", "8080,8081,70000"])(
    "rejects %s as usage",
    (text) => {
      expect(() => parsePorts(text)).toThrowError(MserveError);
      try {
        parsePorts(text);
      } catch (error) {
        expect((error as MserveError).exitCode).toBe(2);
      }
    },
  );
});

describe("configProperties", () => {
  const text = configProperties({
    ports: DEFAULT_PORTS,
    bind: "127.0.0.1",
    modelStore: "/store",
    tokenAuth: true,
  });
  it("enables the model API and keeps token auth as asked", () => {
    expect(text).toContain("enable_model_api=true");
    expect(text).toContain("disable_token_authorization=false");
    expect(
      configProperties({ ports: DEFAULT_PORTS, bind: "0.0.0.0", modelStore: "/s", tokenAuth: false }),
    ).toContain("disable_token_authorization=true");
  });
  it("binds loopback, starts one worker per model and names every port", () => {
    expect(text).toContain("inference_address=http://127.0.0.1:8080");
    expect(text).toContain("management_address=http://127.0.0.1:8081");
    expect(text).toContain("metrics_address=http://127.0.0.1:8082");
    expect(text).toContain("grpc_inference_port=7070");
    expect(text).toContain("default_workers_per_model=1");
    expect(text).toContain("model_store=/store");
  });
});

describe("localLaunchPlan", () => {
  const inputs = {
    name: "t",
    ports: DEFAULT_PORTS,
    modelStore: "/store",
    workDir: "/home/x/servers/t",
    tokenAuth: false,
  };
  it("runs torchserve in the foreground with no config snapshots, from the work folder", () => {
    const plan = localLaunchPlan(inputs, "/venv/bin/torchserve", "/venv/bin");
    expect(plan.file).toBe("/venv/bin/torchserve");
    expect(plan.args).toEqual([
      "--start",
      "--foreground",
      "--ncs",
      "--model-store",
      "/store",
      "--ts-config",
      "/home/x/servers/t/config.properties",
      "--enable-model-api",
      "--disable-token-auth",
    ]);
    expect(plan.cwd).toBe("/home/x/servers/t");
    expect(plan.env.TEMP).toBe("/home/x/servers/t/tmp");
    expect(plan.pathPrepend).toBe("/venv/bin");
    expect(plan.keyFile).toBeUndefined();
  });
  it("expects key_file.json in the work folder when token auth is on", () => {
    const plan = localLaunchPlan({ ...inputs, tokenAuth: true }, "/venv/bin/torchserve", "/venv/bin");
    expect(plan.args).not.toContain("--disable-token-auth");
    expect(plan.keyFile).toBe("/home/x/servers/t/key_file.json");
  });
});

it("shellQuote quotes only what needs it", () => {
  expect(shellQuote(["docker", "run", "-p", "127.0.0.1:8080:8080", "it's here", "a b"])).toBe(
    `docker run -p 127.0.0.1:8080:8080 'it'\\''s here' 'a b'`,
  );
});
