import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mserve, tempProject } from "../helpers/cli.js";
import { missingVenvTool, venvBin } from "../helpers/python.js";

/**
 * `mserve doctor` on machines it cannot be run on here: a stand-in nvidia-smi
 * (and docker) first on PATH answers as the real ones do on a machine with one
 * GPU, with the driver not loaded, and with no GPU. TorchServe and its worker
 * Python are the project's real ones, so the torch row is what torch says.
 */
const SMI_ONE_GPU = `case "$*" in
  *--query-gpu=index,name,memory.total,driver_version*) echo "0, NVIDIA H200, 143771, 570.124.06" ;;
  "") printf '%s\\n' "+-----------------------------------------------------------------------------------------+" \\
       "| NVIDIA-SMI 570.124.06             Driver Version: 570.124.06     CUDA Version: 12.8     |" ;;
  *) exit 2 ;;
esac`;
const SMI_NO_DRIVER = `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."; exit 9`;
const SMI_NO_GPU = `echo "No devices were found"; exit 6`;
/** A reachable daemon without the NVIDIA runtime. */
const DOCKER_NO_NVIDIA = `case "$1" in
  version) echo 27.3.1 ;;
  info) echo '{"io.containerd.runc.v2":{"path":"runc"},"runc":{"path":"runc"}}' ;;
  *) exit 1 ;;
esac`;

let project: Awaited<ReturnType<typeof tempProject>>;
beforeAll(async () => {
  project = await tempProject();
});
afterAll(() => project.cleanup());

async function standIns(name: string, scripts: Record<string, string>): Promise<string> {
  const bin = join(project.dir, name);
  await mkdir(bin, { recursive: true });
  for (const [tool, body] of Object.entries(scripts)) {
    await writeFile(join(bin, tool), `#!/bin/sh\n${body}\n`);
    await chmod(join(bin, tool), 0o755);
  }
  return bin;
}

interface Check {
  id: string;
  status: string;
  detail: string;
  fix?: string;
}

/** PATH without any real nvidia-smi, so the stand-in (or none at all) is what doctor finds. */
const pathWithoutSmi = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((dir) => dir && !existsSync(join(dir, "nvidia-smi")))
  .join(delimiter);

async function doctor(bin: string, output: "json" | "text") {
  return mserve(["doctor", "--target", "torchserve", ...(output === "json" ? ["-o", "json"] : [])], {
    cwd: project.dir,
    env: {
      PATH: `${bin}${delimiter}${pathWithoutSmi}`,
      MSERVE_TORCHSERVE_BIN: venvBin("torchserve"),
      VIRTUAL_ENV: "",
      ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
    },
  });
}

const checksOf = (stdout: string): Check[] => {
  const doc = JSON.parse(stdout);
  return (doc.checks ?? doc.error.details.checks) as Check[];
};

describe.skipIf(missingVenvTool("torchserve") && process.env.MSERVE_REQUIRE_REAL_SERVERS !== "1")(
  "mserve doctor and GPUs (stand-in nvidia-smi)",
  () => {
    it("one GPU: a row with name, memory, driver and CUDA; the CPU-only torch of the workers warns with a fix; docker without the NVIDIA runtime warns", async () => {
      const bin = await standIns("one-gpu", { "nvidia-smi": SMI_ONE_GPU, docker: DOCKER_NO_NVIDIA });
      const result = await doctor(bin, "json");
      const checks = checksOf(result.stdout);
      const byId = (id: string) => checks.find((c) => c.id === id);
      expect(byId("gpu0")).toMatchObject({
        status: "pass",
        detail: "NVIDIA H200, 143771 MiB, driver 570.124.06, CUDA 12.8",
      });
      // The project's venv has torch 2.13.0+cpu: it cannot use the GPU nvidia-smi lists.
      expect(byId("torchserve-cuda")).toMatchObject({
        status: "warn",
        detail: expect.stringContaining(
          "does not see CUDA (a CPU-only build), though nvidia-smi lists 1 GPU(s)",
        ),
        fix: expect.stringContaining("--index-url https://download.pytorch.org/whl/cu"),
      });
      expect(byId("nvidia-container")).toMatchObject({
        status: "warn",
        fix: expect.stringContaining("nvidia-ctk runtime configure --runtime=docker"),
      });
      // Warnings do not fail doctor (ports may be taken by other servers: also a warning).
      expect(checks.filter((c) => c.status === "fail")).toEqual([]);
      expect(result.exitCode).toBe(0);
    });

    it("a driver that does not answer: the GPU row fails with its fix, and doctor exits 3", async () => {
      const bin = await standIns("no-driver", { "nvidia-smi": SMI_NO_DRIVER });
      const json = await doctor(bin, "json");
      expect(json.exitCode).toBe(3);
      expect(checksOf(json.stdout).find((c) => c.id === "gpu")).toMatchObject({
        status: "fail",
        detail: expect.stringContaining(
          "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate",
        ),
        fix: expect.stringContaining("Install or reload the NVIDIA driver"),
      });
      const text = await doctor(bin, "text");
      expect(text.exitCode).toBe(3);
      expect(text.stdout).toMatch(/GPUs\s+fail\s+nvidia-smi failed/);
      expect(text.stdout).toContain("  GPUs: Install or reload the NVIDIA driver");
    });

    it("nvidia-smi listing no GPU warns; no nvidia-smi at all is a CPU machine and passes", async () => {
      const none = await doctor(await standIns("no-gpu", { "nvidia-smi": SMI_NO_GPU }), "json");
      expect(checksOf(none.stdout).find((c) => c.id === "gpu")).toMatchObject({
        status: "warn",
        detail: "nvidia-smi lists no GPU (No devices were found)",
      });
      // No nvidia-smi on PATH: a CPU machine, and the venv's CPU torch passes.
      const cpu = await doctor(await standIns("cpu", {}), "json");
      const checks = checksOf(cpu.stdout);
      expect(checks.find((c) => c.id === "gpu")).toMatchObject({
        status: "pass",
        detail: expect.stringContaining("no nvidia-smi on PATH, so servers run on CPU"),
      });
      expect(checks.find((c) => c.id === "torchserve-cuda")).toMatchObject({
        status: "pass",
        detail: expect.stringContaining("CUDA not available, and no GPU here (CPU path)"),
      });
      expect(checks.some((c) => c.id === "nvidia-container")).toBe(false);
    });
  },
);
