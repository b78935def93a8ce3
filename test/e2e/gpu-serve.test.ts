import { chmod, mkdir, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mserve, tempProject } from "../helpers/cli.js";

/** `serve --dry-run` with GPUs, as a user runs it: the exact config and command, and what was chosen why. */
let project: Awaited<ReturnType<typeof tempProject>>;
let gpuPath: string;
beforeAll(async () => {
  project = await tempProject();
  // A machine with two GPUs, as nvidia-smi lists them.
  const bin = join(project.dir, "bin");
  await mkdir(bin);
  await writeFile(
    join(bin, "nvidia-smi"),
    '#!/bin/sh\necho "0, NVIDIA H200, 143771, 570.124.06"\necho "1, NVIDIA H200, 143771, 570.124.06"\n',
  );
  await chmod(join(bin, "nvidia-smi"), 0o755);
  gpuPath = `${bin}${delimiter}${process.env.PATH ?? ""}`;
});
afterAll(() => project.cleanup());

describe("mserve serve --gpus --dry-run", () => {
  it("docker TorchServe on GPUs 0,1: the config with number_of_gpu and the docker line with --gpus", async () => {
    const r = await mserve(["serve", "--runtime", "docker", "--gpus", "0,1", "--dry-run"], {
      cwd: project.dir,
      env: { PATH: gpuPath },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("# gpus 0,1 (--gpus; 2 GPU(s) listed by nvidia-smi: 2× NVIDIA H200)");
    expect(r.stdout).toMatch(/\nnumber_of_gpu=2\n/);
    expect(r.stdout).toMatch(
      /docker run -d .* --gpus '"device=0,1"' .* pytorch\/torchserve:0\.12\.0-gpu torchserve /,
    );
  });

  it("the default on a GPU machine is all, said in the JSON and the local command's environment is left alone", async () => {
    const r = await mserve(["serve", "--target", "triton", "--dry-run", "-o", "json"], {
      cwd: project.dir,
      env: { PATH: gpuPath },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.gpus).toMatchObject({ choice: "all", source: "default" });
    expect(plan.env).not.toHaveProperty("CUDA_VISIBLE_DEVICES");
  });

  it("an index nvidia-smi does not list, or a malformed list, is exit 2", async () => {
    const missing = await mserve(["serve", "--gpus", "0,7", "--dry-run"], {
      cwd: project.dir,
      env: { PATH: gpuPath },
    });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("nvidia-smi lists no GPU 7");
    const bad = await mserve(["serve", "--gpus", "first", "--dry-run"], { cwd: project.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('invalid --gpus "first"');
  });
});
