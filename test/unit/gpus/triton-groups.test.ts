import { describe, expect, it } from "vitest";
import { describeInstanceGroups, gpuInstanceGroups } from "../../../src/targets/triton/gpu-groups.js";

const config = { name: "m", backend: "python", instance_group: [{ kind: "KIND_CPU", count: 2 }] };

describe("deploy --target triton --gpus: instance groups", () => {
  it("KIND_GPU on the chosen GPUs, keeping config.pbtxt's count as the count per GPU", () => {
    expect(gpuInstanceGroups("0,1", config).groups).toEqual([{ kind: "KIND_GPU", count: 2, gpus: [0, 1] }]);
    expect(gpuInstanceGroups("all", config).groups).toEqual([{ kind: "KIND_GPU", count: 2 }]);
    expect(gpuInstanceGroups("none", { name: "m" }).groups).toEqual([{ kind: "KIND_CPU", count: 1 }]);
  });

  it("renumbers nvidia-smi indexes to the server's own (it was started with --gpus 2,3), refusing one it cannot see", () => {
    expect(gpuInstanceGroups("3", config, "2,3").groups).toEqual([{ kind: "KIND_GPU", count: 2, gpus: [1] }]);
    expect(() => gpuInstanceGroups("1", config, "2,3")).toThrow(
      /started with --gpus 2,3 and cannot see GPU 1/,
    );
    expect(gpuInstanceGroups("1", config, "all").groups[0]?.gpus).toEqual([1]);
  });

  it("warns that a server started with --gpus none will refuse KIND_GPU", () => {
    expect(gpuInstanceGroups("0", config, "none").warnings[0]).toMatch(/Triton will refuse KIND_GPU/);
    expect(gpuInstanceGroups("none", config, "none").warnings).toEqual([]);
  });

  it("says where instances run, for models and deploy", () => {
    expect(describeInstanceGroups([{ kind: "KIND_CPU", count: 1 }])).toBe("CPU ×1");
    expect(describeInstanceGroups([{ kind: "KIND_GPU", count: 2, gpus: [0, 1] }])).toBe("GPU 0,1 ×2 each");
    expect(describeInstanceGroups([{ kind: "KIND_GPU", count: 1 }])).toBe("all GPUs ×1 each");
    expect(describeInstanceGroups(undefined)).toBe("-");
  });
});
