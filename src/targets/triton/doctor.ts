import { join, resolve } from "node:path";
import { gpuProbeOf, probeTorchCuda, torchCudaRow } from "../../doctor/gpu.js";
import { type CheckResult, type DoctorEnv, explain, firstLine, pass } from "../../doctor/types.js";
import { locateTriton, type TritonInstall } from "./locate.js";

const FIX =
  "mserve setup triton  (nvidia-pytriton's tritonserver with the Python backend, under $MSERVE_HOME/runtimes), or tritonserver on PATH, MSERVE_TRITONSERVER_BIN, or --runtime docker";

/** What `mserve serve --target triton` needs: a tritonserver that starts (its own or nvidia-pytriton's). */
export async function tritonDoctor(d: DoctorEnv): Promise<CheckResult[]> {
  const found = locateTriton(d.env, d.cwd);
  if (!found)
    return [
      {
        id: "tritonserver",
        title: "tritonserver",
        status: "fail",
        detail:
          "not found (MSERVE_TRITONSERVER_BIN, PATH, nvidia-pytriton in ./.venv-triton, ./.venv or $VIRTUAL_ENV)",
        fix: FIX,
      },
    ];
  // pytriton's binary needs its bundled libraries on the search path to even print a version.
  const libs: Record<string, string> = found.pytriton
    ? { LD_LIBRARY_PATH: `${found.pytriton.libs}:${d.env.LD_LIBRARY_PATH ?? ""}` }
    : {};
  const [version, torch] = await Promise.all([
    d.exec(found.bin, ["--version"], { timeoutMs: 20_000, env: libs }),
    pythonBackendTorch(d, found),
  ]);
  const text = `${version.stdout}\n${version.stderr}`;
  const v = /version[^\d]*(\d+\.\d+\.\d+)/i.exec(text)?.[1];
  const where = `${found.bin}${found.pytriton ? " (nvidia-pytriton)" : ""}`;
  if (v) return [pass("tritonserver", "tritonserver", `${v} (${where})`), ...torch];
  return [
    ...torch,
    {
      id: "tritonserver",
      title: "tritonserver",
      status: "warn",
      detail: `${where}: no version (${explain(version) || firstLine(text)})`,
      fix: "Run it by hand to see why: `tritonserver --version`; the pytriton build needs its libraries (mserve serve sets them).",
    },
  ];
}

/**
 * nvidia-pytriton's Python backend runs model.py in the venv's own Python (serve
 * puts its bin/ first on PATH): whether torch there sees CUDA. No row when the
 * venv has no torch (a model.py need not use it) or tritonserver is not pytriton's.
 */
async function pythonBackendTorch(d: DoctorEnv, found: TritonInstall): Promise<CheckResult[]> {
  if (!found.pytriton) return [];
  const python = join(resolve(found.pytriton.sitePackages, "..", "..", ".."), "bin", "python3");
  const torch = await probeTorchCuda(d, python, 30_000);
  if (!torch) return [];
  return [
    torchCudaRow("triton-cuda", "torch CUDA (Triton Python backend)", python, torch, await gpuProbeOf(d)),
  ];
}
