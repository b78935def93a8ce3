import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { z } from "zod";
import { reserveTempSibling } from "../../archive/atomic-output.js";
import { releaseTempPath } from "../../archive/temp-paths.js";
import type { LoadedProject } from "../../config/project.js";
import { conflict, fromFsError, invalidInput, usageError } from "../../errors.js";
import { checkModelName } from "../../model/names.js";
import { packagePath } from "../../paths.js";
import { type ModelConfig, parseModelConfig, writeModelConfig } from "./config.js";
import { type TritonSection, type tensorSchema, tritonSectionSchema } from "./project-section.js";
import { checkConfig, type TritonDiagnostic } from "./rules.js";

const TEMPLATES = packagePath("templates/triton/");

export interface TritonPackagePlan {
  name: string;
  version: string;
  repository: string;
  config: ModelConfig;
  /** Files of the version folder: name inside it → source path. */
  files: { name: string; source: string }[];
  diagnostics: TritonDiagnostic[];
}

const PYTHON_IO = {
  inputs: [{ name: "TEXT", "data-type": "TYPE_STRING", dims: [1] }],
  outputs: [
    { name: "INTENT", "data-type": "TYPE_STRING", dims: [1] },
    { name: "SCORE", "data-type": "TYPE_FP32", dims: [1] },
  ],
};
const PLATFORM: Record<string, { platform: string; file: string }> = {
  pytorch: { platform: "pytorch_libtorch", file: "model.pt" },
  onnxruntime: { platform: "onnxruntime_onnx", file: "model.onnx" },
  tensorflow: { platform: "tensorflow_savedmodel", file: "model.savedmodel" },
};

const tensors = (list: z.infer<typeof tensorSchema>[]) =>
  list.map((t) => ({ name: t.name, data_type: t["data-type"], dims: t.dims }));

/**
 * What `package --target triton` writes: config.pbtxt from mserve.yaml's
 * triton section, and the version folder's files. Python models get model.py
 * from templates/triton/ and keep the model class file under another name.
 */
export async function planTritonPackage(
  project: LoadedProject | undefined,
  flags: {
    modelName?: string;
    version?: string;
    repository?: string;
    backend?: string;
    maxBatchSize?: string;
  },
  cwd: string,
): Promise<TritonPackagePlan> {
  const file = project?.config ?? {};
  const base = project?.dir ?? cwd;
  const parsed = tritonSectionSchema.safeParse({
    ...(file.targets?.triton ?? {}),
    ...(flags.backend ? { backend: flags.backend } : {}),
    ...(flags.maxBatchSize !== undefined ? { "max-batch-size": Number(flags.maxBatchSize) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw usageError(
      `targets.triton.${issue?.path.join(".")}: ${issue?.message}`,
      "See the Triton section of the README for mserve.yaml's triton keys.",
    );
  }
  const section = parsed.data;
  const name = checkModelName(flags.modelName ?? file.name);
  const version = flags.version ?? file.version;
  if (!version || !/^[1-9][0-9]*$/.test(version)) {
    throw invalidInput(
      `Triton versions are positive whole numbers, got "${version ?? ""}"`,
      'Set version: "1" in mserve.yaml or pass -v 2.',
    );
  }
  const repository = flags.repository
    ? resolve(cwd, flags.repository)
    : resolve(base, section.repository ?? "model_repository");
  const serialized = file["serialized-file"] ? resolve(base, file["serialized-file"]) : undefined;
  if (!serialized)
    throw usageError(
      "serialized-file is missing",
      "Set serialized-file: in mserve.yaml (the weights or exported model).",
    );
  const io = section.backend === "python" ? { ...PYTHON_IO, ...pick(section) } : pick(section);
  if (!io.inputs || !io.outputs) {
    throw usageError(
      `the ${section.backend} backend needs inputs and outputs in targets.triton`,
      section.backend === "pytorch"
        ? "TorchScript inputs are named INPUT__0, INPUT__1, … and outputs OUTPUT__0, …"
        : undefined,
    );
  }
  const config: ModelConfig = {
    name,
    ...(section.backend === "python"
      ? { backend: "python" }
      : { platform: PLATFORM[section.backend]?.platform, backend: section.backend }),
    max_batch_size: section["max-batch-size"],
    input: tensors(io.inputs),
    output: tensors(io.outputs),
    instance_group: [{ kind: "KIND_CPU", count: section["instance-count"] }],
  };
  if (section["dynamic-batching"] !== false && section["max-batch-size"] > 0) {
    const delay =
      typeof section["dynamic-batching"] === "object"
        ? section["dynamic-batching"]["max-queue-delay-us"]
        : undefined;
    config.dynamic_batching = delay === undefined ? {} : { max_queue_delay_microseconds: delay };
  }
  const files: { name: string; source: string }[] = [];
  if (section.backend === "python") {
    const template = join(TEMPLATES, `${section.template}.py`);
    if (
      !(await stat(template).then(
        (s) => s.isFile(),
        () => false,
      ))
    ) {
      throw usageError(
        `unknown Triton template "${section.template}"`,
        `Templates: ${(await readdir(TEMPLATES)).map((f) => basename(f, ".py")).join(", ")}`,
      );
    }
    files.push({ name: "model.py", source: template });
    const modelFile = file["model-file"] ? resolve(base, file["model-file"]) : undefined;
    if (modelFile) files.push({ name: "model_def.py", source: modelFile });
    files.push({ name: basename(serialized), source: serialized });
    config.parameters = {
      model_module: { string_value: "model_def" },
      weights: { string_value: basename(serialized) },
    };
    const extras = file["extra-files"];
    for (const extra of Array.isArray(extras) ? extras : extras ? extras.split(",") : []) {
      files.push({ name: basename(extra.trim()), source: resolve(base, extra.trim()) });
    }
  } else {
    files.push({ name: PLATFORM[section.backend]?.file as string, source: serialized });
  }
  const names = files.map((f) => f.name);
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) {
    throw usageError(
      `two files would be written as ${name}/${version}/${clash}`,
      "Rename one of the extra files (the Python backend's own file is model.py; the model class goes in as model_def.py).",
    );
  }
  const diagnostics: TritonDiagnostic[] = [];
  checkConfig(config, (severity, rule, message, hint) =>
    diagnostics.push({ severity, rule, message, ...(hint ? { hint } : {}) }),
  );
  return { name, version, repository, config, files, diagnostics };
}

function pick(section: TritonSection) {
  return {
    ...(section.inputs ? { inputs: section.inputs } : {}),
    ...(section.outputs ? { outputs: section.outputs } : {}),
  };
}

export interface TritonPackageResult {
  repository: string;
  model: string;
  version: string;
  status: "created" | "unchanged" | "replaced";
  configStatus: "created" | "unchanged" | "updated";
  files: string[];
}

async function sameFiles(dir: string, files: { name: string; source: string }[]): Promise<boolean> {
  const present = await readdir(dir).catch(() => [] as string[]);
  if (present.length !== files.length) return false;
  for (const f of files) {
    const [a, b] = await Promise.all([
      readFile(join(dir, f.name)).catch(() => undefined),
      readFile(f.source).catch(() => undefined),
    ]);
    if (!a || !b || !a.equals(b)) return false;
  }
  return true;
}

/**
 * Adds the version to the repository without touching other models or versions:
 * the version folder is built under a hidden temp name and renamed into place,
 * and config.pbtxt is replaced by rename only when its content changes.
 */
export async function writeTritonPackage(
  plan: TritonPackagePlan,
  options: { force: boolean },
): Promise<TritonPackageResult> {
  const errors = plan.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw invalidInput(`the generated config would not load: ${errors[0]?.message}`, errors[0]?.hint, {
      diagnostics: errors,
    });
  const modelDir = join(plan.repository, plan.name);
  const versionDir = join(modelDir, plan.version);
  await mkdir(modelDir, { recursive: true }).catch((error) =>
    Promise.reject(fromFsError(error, modelDir, "repository")),
  );
  for (const f of plan.files)
    await stat(f.source).catch((error) => Promise.reject(fromFsError(error, f.source, "model file")));

  const configPath = join(modelDir, "config.pbtxt");
  const text = writeModelConfig(plan.config);
  const existing = await readFile(configPath, "utf8").catch(() => undefined);
  let configStatus: TritonPackageResult["configStatus"] = "created";
  if (existing !== undefined) {
    const read = parseModelConfig(existing);
    configStatus = read.ok && writeModelConfig(read.config) === text ? "unchanged" : "updated";
  }
  // A config that differs was likely edited by hand (instance groups, parameters): keep it unless told otherwise.
  if (configStatus === "updated" && !options.force) {
    throw conflict(
      `${plan.name}/config.pbtxt in ${plan.repository} differs from the one this package would write`,
      "Pass -f/--force to replace it (compare with --dry-run first), or move your edits into mserve.yaml's targets.triton.",
    );
  }
  let status: TritonPackageResult["status"] = "created";
  if (
    await stat(versionDir).then(
      () => true,
      () => false,
    )
  ) {
    if (await sameFiles(versionDir, plan.files)) status = "unchanged";
    else if (!options.force)
      throw conflict(
        `${plan.name}/${plan.version} already exists in ${plan.repository} with other files`,
        "Package a new version (-v), or pass -f/--force to replace this one.",
      );
    else status = "replaced";
  }
  if (status !== "unchanged") {
    const temp = reserveTempSibling(versionDir);
    try {
      await mkdir(temp);
      for (const f of plan.files) await cp(f.source, join(temp, f.name), { recursive: true });
      // The old version is renamed aside before the new one goes in, so a failure never leaves neither.
      const aside = status === "replaced" ? reserveTempSibling(versionDir) : undefined;
      if (aside) await rename(versionDir, aside);
      try {
        await rename(temp, versionDir);
      } catch (error) {
        if (aside) await rename(aside, versionDir).catch(() => {});
        throw error;
      }
      if (aside) {
        await rm(aside, { recursive: true, force: true });
        releaseTempPath(aside);
      }
      releaseTempPath(temp);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      releaseTempPath(temp);
      throw fromFsError(error, versionDir, "version folder");
    }
  }
  if (configStatus !== "unchanged") {
    const temp = reserveTempSibling(configPath);
    await writeFile(temp, text);
    await rename(temp, configPath);
    releaseTempPath(temp);
  }
  return {
    repository: plan.repository,
    model: plan.name,
    version: plan.version,
    status,
    configStatus,
    files: plan.files.map((f) => f.name),
  };
}
