import { describe, expect, it } from "vitest";
import { type GpuProbe, selectGpus } from "../../../src/runtime/gpus.js";
import type { LaunchPreview } from "../../../src/runtime/types.js";
import { mlserverServe } from "../../../src/targets/mlserver/serve.js";
import type { Hooks, ServeAdapter } from "../../../src/targets/target.js";
import { tfservingServe } from "../../../src/targets/tfserving/serve-adapter.js";
import { torchserveServe } from "../../../src/targets/torchserve/serve-adapter.js";
import { tritonServe } from "../../../src/targets/triton/serve-adapter.js";

/** Two H200s, as nvidia-smi would list them. */
const twoGpus: GpuProbe = {
  state: "ok",
  bin: "/usr/bin/nvidia-smi",
  gpus: [0, 1].map((index) => ({ index, name: "NVIDIA H200", memoryMiB: 143771, driver: "570.124.06" })),
};

const hooks: Hooks = {
  step: () => {},
  bytes: async () => () => {},
  warn: () => {},
  confirm: async () => {},
  signal: new AbortController().signal,
  // Nothing installed: a dry run names the bare executables.
  env: { MSERVE_HOME: "/h", PATH: "" },
  cwd: "/",
};

async function preview(
  adapter: ServeAdapter,
  runtime: "local" | "docker",
  gpus: string | undefined,
  probe: GpuProbe = twoGpus,
): Promise<LaunchPreview> {
  const plan = await adapter.plan(
    {
      name: "s",
      runtime,
      ports: "9000,9001,9002",
      wait: false,
      timeoutMs: 1000,
      gpus: selectGpus(gpus, probe),
      options: {},
    },
    hooks,
    true,
  );
  return plan.preview.data;
}

const gpusArg = (command: string[]) => {
  const i = command.indexOf("--gpus");
  return i < 0 ? undefined : command[i + 1];
};
const configOf = (p: LaunchPreview) =>
  p.files.find((f) => f.path.endsWith("config.properties"))?.content ?? "";

describe("serve --gpus: TorchServe", () => {
  it("local: number_of_gpu in config.properties, CUDA_VISIBLE_DEVICES for the frontend and its workers", async () => {
    const all = await preview(torchserveServe, "local", "all");
    expect(configOf(all)).toContain("\nnumber_of_gpu=2\n");
    expect(all.env).not.toHaveProperty("CUDA_VISIBLE_DEVICES");

    const two = await preview(torchserveServe, "local", "0,1");
    expect(configOf(two)).toContain("\nnumber_of_gpu=2\n");
    expect(two.env.CUDA_VISIBLE_DEVICES).toBe("0,1");

    const one = await preview(torchserveServe, "local", "1");
    expect(configOf(one)).toContain("\nnumber_of_gpu=1\n");
    expect(one.env.CUDA_VISIBLE_DEVICES).toBe("1");

    const none = await preview(torchserveServe, "local", "none");
    expect(configOf(none)).toContain("\nnumber_of_gpu=0\n");
    expect(none.env.CUDA_VISIBLE_DEVICES).toBe("");
  });

  it("docker: --gpus as docker parses it, the -gpu image, and the count TorchServe will see", async () => {
    const all = await preview(torchserveServe, "docker", "all");
    expect(gpusArg(all.command)).toBe("all");
    expect(all.command).toContain("pytorch/torchserve:0.12.0-gpu");
    expect(configOf(all)).toContain("\nnumber_of_gpu=2\n");
    // --gpus is a docker run option: it comes before the image.
    expect(all.command.indexOf("--gpus")).toBeLessThan(all.command.indexOf("pytorch/torchserve:0.12.0-gpu"));

    const two = await preview(torchserveServe, "docker", "0,1");
    expect(gpusArg(two.command)).toBe('"device=0,1"');
    expect(configOf(two)).toContain("\nnumber_of_gpu=2\n");

    const none = await preview(torchserveServe, "docker", "none");
    expect(gpusArg(none.command)).toBeUndefined();
    expect(none.command).toContain("pytorch/torchserve:0.12.0-cpu");
    expect(configOf(none)).toContain("\nnumber_of_gpu=0\n");
  });

  it("the default is all where nvidia-smi lists GPUs, none where it lists none, and the dry run says which", async () => {
    const gpuMachine = await preview(torchserveServe, "local", undefined);
    expect(gpuMachine.gpus).toMatchObject({ choice: "all", source: "default" });
    expect(gpuMachine.gpus?.note).toContain("2 GPU(s) listed by nvidia-smi: 2× NVIDIA H200");

    const cpuMachine = await preview(torchserveServe, "docker", undefined, { state: "absent" });
    expect(cpuMachine.gpus).toMatchObject({ choice: "none", source: "default" });
    expect(gpusArg(cpuMachine.command)).toBeUndefined();
    expect(configOf(cpuMachine)).toContain("\nnumber_of_gpu=0\n");
  });

  it("all on a machine where nvidia-smi counts nothing leaves number_of_gpu to TorchServe", async () => {
    const p = await preview(torchserveServe, "docker", "all", { state: "absent" });
    expect(configOf(p)).not.toContain("number_of_gpu");
    expect(gpusArg(p.command)).toBe("all");
    expect(p.gpus?.note).toContain("the server runs on CPU here");
  });
});

describe("serve --gpus: Triton", () => {
  it("local: CUDA_VISIBLE_DEVICES decides which devices KIND_GPU instance groups land on", async () => {
    expect((await preview(tritonServe, "local", "all")).env).not.toHaveProperty("CUDA_VISIBLE_DEVICES");
    expect((await preview(tritonServe, "local", "0,1")).env.CUDA_VISIBLE_DEVICES).toBe("0,1");
    expect((await preview(tritonServe, "local", "none")).env.CUDA_VISIBLE_DEVICES).toBe("");
  });
  it("docker: --gpus all, --gpus '\"device=0,1\"', or none at all (the quickstart's CPU-only line)", async () => {
    expect(gpusArg((await preview(tritonServe, "docker", "all")).command)).toBe("all");
    const two = await preview(tritonServe, "docker", "0,1");
    expect(gpusArg(two.command)).toBe('"device=0,1"');
    expect(two.command.indexOf("--gpus")).toBeLessThan(two.command.indexOf("tritonserver"));
    expect(gpusArg((await preview(tritonServe, "docker", "none")).command)).toBeUndefined();
  });
});

describe("serve --gpus: TF Serving and MLServer", () => {
  it("TF Serving: CUDA_VISIBLE_DEVICES locally; in docker --gpus with the latest-gpu image", async () => {
    expect((await preview(tfservingServe, "local", "0,1")).env.CUDA_VISIBLE_DEVICES).toBe("0,1");
    expect((await preview(tfservingServe, "local", "none")).env.CUDA_VISIBLE_DEVICES).toBe("");
    const all = await preview(tfservingServe, "docker", "all");
    expect(gpusArg(all.command)).toBe("all");
    expect(all.command).toContain("tensorflow/serving:latest-gpu");
    const none = await preview(tfservingServe, "docker", "none");
    expect(gpusArg(none.command)).toBeUndefined();
    expect(none.command).toContain("tensorflow/serving");
  });
  it("MLServer: CUDA_VISIBLE_DEVICES for its runtimes locally; --gpus in docker", async () => {
    const local = await preview(mlserverServe, "local", "1");
    expect(local.env).toMatchObject({ CUDA_VISIBLE_DEVICES: "1", MLSERVER_HOST: "127.0.0.1" });
    expect((await preview(mlserverServe, "local", "none")).env.CUDA_VISIBLE_DEVICES).toBe("");
    expect(gpusArg((await preview(mlserverServe, "docker", "0,1")).command)).toBe('"device=0,1"');
    expect(gpusArg((await preview(mlserverServe, "docker", "none")).command)).toBeUndefined();
  });
});
