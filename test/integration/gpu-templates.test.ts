import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/python.js";

/**
 * scripts/gpu-template-check.py in the project's venvs: every template's
 * initialize/inference with a GPU id, on cuda:N where CUDA is visible and on the
 * CPU elsewhere ("GPU not present, CPU path checked"), against a CPU run. The
 * TorchServe handlers run in .venv (real ts BaseHandler, Pillow), the Triton
 * models in .venv-triton (numpy, onnx, onnxruntime).
 */
interface Result {
  template: string;
  status: "pass" | "fail" | "skip";
  device: string;
  cpu_device: string;
  model_device: string | null;
  max_abs_diff: number;
  answers: number;
  reason?: string;
  base_handler?: string;
}
interface Summary {
  mode: "cuda" | "cpu";
  note: string;
  gpu_id: number;
  cuda: { available: boolean };
  results: Result[];
  ok: boolean;
}

const script = join(repoRoot, "scripts", "gpu-template-check.py");

const venvs = [
  {
    group: "torchserve",
    python: join(repoRoot, ".venv", "bin", "python"),
    templates: ["torchserve/text_classifier.py", "torchserve/image_classifier.py", "torchserve/custom.py"],
  },
  {
    group: "triton",
    python: join(repoRoot, ".venv-triton", "bin", "python"),
    templates: [
      "triton/python.py",
      "triton/torchscript_wrapper.py",
      "triton/onnx_wrapper.py",
      "fixtures/intent/triton_model.py",
    ],
  },
];

describe.each(venvs)("the $group templates on a GPU id (scripts/gpu-template-check.py)", (venv) => {
  const missing = existsSync(venv.python)
    ? undefined
    : `${venv.python} not found: run \`npm run setup:python\``;
  requireOrSkip(missing);

  it.skipIf(Boolean(missing))(
    "each runs on the device it is given (CUDA, or the CPU without it) and answers as on the CPU",
    async () => {
      const run = await execa(venv.python, [script, "--only", venv.group, "--gpu-id", "0"], {
        reject: false,
        cwd: repoRoot,
      });
      const summary = JSON.parse(run.stdout) as Summary;
      expect(run.exitCode, run.stderr).toBe(0);
      expect(summary.results.map((r) => r.template)).toEqual(venv.templates);
      for (const result of summary.results) {
        // In the project's venvs every template can run: none may be skipped.
        expect(result, result.reason).toMatchObject({ status: "pass", cpu_device: "cpu" });
        expect(result.answers).toBeGreaterThan(0);
        expect(result.max_abs_diff).toBeLessThanOrEqual(1e-3);
        if (result.model_device !== null) expect(result.model_device).toBe(result.device);
      }
      if (summary.mode === "cpu") {
        expect(summary.note).toBe("GPU not present, CPU path checked");
        expect(summary.results.every((r) => r.device === "cpu")).toBe(true);
      } else {
        // onnxruntime without its CUDA provider stays on the CPU, and says so.
        for (const r of summary.results.filter((r) => r.template !== "triton/onnx_wrapper.py"))
          expect(r.device).toBe("cuda:0");
      }
      if (venv.group === "torchserve") {
        // The fixture's 18 samples, through TorchServe's own BaseHandler.
        expect(summary.results[0]).toMatchObject({ answers: 18, base_handler: "ts 0.12.0" });
      }
    },
  );
});
