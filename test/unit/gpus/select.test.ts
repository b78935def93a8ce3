import { describe, expect, it } from "vitest";
import type { Exec } from "../../../src/doctor/types.js";
import {
  dockerGpuArgs,
  parseCudaVersion,
  parseGpuChoice,
  parseGpuCsv,
  probeGpus,
  selectGpus,
} from "../../../src/runtime/gpus.js";

describe("--gpus values", () => {
  it("reads all, none and index lists", () => {
    expect(parseGpuChoice("all")).toEqual({ mode: "all" });
    expect(parseGpuChoice("NONE")).toEqual({ mode: "none" });
    expect(parseGpuChoice("0, 1")).toEqual({ mode: "devices", ids: [0, 1] });
  });
  it.each(["", "gpu0", "0,,1", "-1", "0,0", "1.5"])("refuses %j as usage (exit 2)", (text) => {
    expect(() => parseGpuChoice(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
  it("docker gets the device list quoted, since it reads the value as CSV", () => {
    expect(dockerGpuArgs({ mode: "devices", ids: [0, 1] })).toEqual(["--gpus", '"device=0,1"']);
    expect(dockerGpuArgs({ mode: "all" })).toEqual(["--gpus", "all"]);
    expect(dockerGpuArgs({ mode: "none" })).toEqual([]);
  });
});

describe("what nvidia-smi lists", () => {
  it("parses --query-gpu csv rows and the banner's CUDA version", () => {
    expect(parseGpuCsv("0, NVIDIA H200, 143771, 570.124.06\n1, NVIDIA H200, 143771, 570.124.06\n")).toEqual([
      { index: 0, name: "NVIDIA H200", memoryMiB: 143771, driver: "570.124.06" },
      { index: 1, name: "NVIDIA H200", memoryMiB: 143771, driver: "570.124.06" },
    ]);
    expect(
      parseCudaVersion("| NVIDIA-SMI 570.124.06   Driver Version: 570.124.06   CUDA Version: 12.8 |"),
    ).toBe("12.8");
  });

  it("an index nvidia-smi does not list is refused; without GPUs an explicit choice is kept, noted as CPU", () => {
    const probe = {
      state: "ok" as const,
      bin: "nvidia-smi",
      gpus: [{ index: 0, name: "NVIDIA L4", memoryMiB: 23034, driver: "550.54" }],
    };
    expect(() => selectGpus("0,3", probe)).toThrow(/nvidia-smi lists no GPU 3/);
    expect(selectGpus("0", probe).choice).toEqual({ mode: "devices", ids: [0] });
    const cpu = selectGpus("0,1", { state: "absent" });
    expect(cpu.choice).toEqual({ mode: "devices", ids: [0, 1] });
    expect(cpu.note).toBe("0,1 (--gpus; no nvidia-smi on PATH; the server runs on CPU here)");
  });

  it("probes nothing without nvidia-smi, and tells a failing driver from a machine with no GPU", async () => {
    expect(await probeGpus(async () => ({ exitCode: 0, stdout: "", stderr: "" }), { PATH: "" })).toEqual({
      state: "absent",
    });
    // PATH must hold an executable nvidia-smi for probeGpus to run it; its answers come from the fake exec.
    const answer =
      (exitCode: number, stdout: string): Exec =>
      async () => ({ exitCode, stdout, stderr: "" });
    const { mkdtemp, writeFile, chmod } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(`${tmpdir()}/smi-`);
    await writeFile(`${dir}/nvidia-smi`, "#!/bin/sh\n");
    await chmod(`${dir}/nvidia-smi`, 0o755);
    const env = { PATH: dir };
    expect(await probeGpus(answer(0, "0, Tesla T4, 15360, 535.1\n"), env)).toMatchObject({
      state: "ok",
      gpus: [{ name: "Tesla T4" }],
    });
    expect(await probeGpus(answer(6, "No devices were found\n"), env)).toMatchObject({ state: "none" });
    expect(
      await probeGpus(
        answer(
          9,
          "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
        ),
        env,
      ),
    ).toMatchObject({ state: "failed", message: expect.stringContaining("couldn't communicate") });
  });
});
