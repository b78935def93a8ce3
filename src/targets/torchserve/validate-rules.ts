import { parse as parseYaml } from "yaml";
import { checkEntryName } from "../../archive/entry-path.js";
import type { Diagnostic } from "../../diagnostics.js";
import { MODEL_NAME_PATTERN, VERSION_PATTERN } from "../../model/names.js";
import type { ArtifactListing } from "./artifact-listing.js";
import { isBuiltinHandler } from "./handlers.js";
import { MANIFEST_PATH, RUNTIMES } from "./manifest.js";

/** A finding about an archive: the shared Diagnostic, with the entry it is about. */
export type ValidationDiagnostic = Diagnostic;

type Report = (
  severity: ValidationDiagnostic["severity"],
  rule: string,
  message: string,
  extra?: { entry?: string; hint?: string },
) => void;

/**
 * Checks an artifact the way TorchServe 0.12 will read it (reference/torchserve.md
 * §2.2–2.4, §3.2): container rules, the manifest, and that every file the
 * manifest names is in the archive root. Pure: works on a listing.
 */
export function validateMarListing(listing: ArtifactListing): ValidationDiagnostic[] {
  const diagnostics: ValidationDiagnostic[] = [];
  const report: Report = (severity, rule, message, extra = {}) =>
    diagnostics.push({ severity, rule, message, ...extra });
  checkContainer(listing, report);
  checkEntries(listing, report);
  const root = rootNames(listing);
  if (listing.manifestText === undefined) {
    report("error", "manifest-missing", `no ${MANIFEST_PATH} at the archive root`, {
      hint: "TorchServe would register the model with an empty manifest and no handler. Re-create it with `mserve package`.",
    });
    return diagnostics;
  }
  checkManifest(listing.manifestText, root, listing, report);
  return diagnostics;
}

/** Entry names as the model folder will hold them after TorchServe extracts the artifact. */
function rootNames(listing: ArtifactListing): Set<string> {
  const prefix =
    listing.kind === "tgz" && listing.manifestEntry
      ? listing.manifestEntry.slice(0, -MANIFEST_PATH.length)
      : "";
  return new Set(
    listing.entries
      .filter((e) => !e.isDirectory && e.name.startsWith(prefix))
      .map((e) => e.name.slice(prefix.length)),
  );
}

function checkContainer(listing: ArtifactListing, report: Report): void {
  const isMar = listing.path.toLowerCase().endsWith(".mar");
  if (listing.kind === "zip" && !isMar) {
    report(
      "error",
      "zip-without-mar-suffix",
      "this is a zip, but TorchServe reads every file not ending in .mar as tar.gz",
      {
        hint: "Rename it to <name>.mar.",
      },
    );
  }
  if (listing.kind === "tgz" && isMar) {
    report("error", "tgz-with-mar-suffix", "this is a tar.gz, but TorchServe reads every .mar file as zip", {
      hint: "Rename it to <name>.tar.gz.",
    });
  }
  if (listing.kind === "tgz") {
    const tops = new Set(listing.entries.map((e) => e.name.split("/")[0]));
    if (tops.size !== 1 || listing.entries.some((e) => !e.name.includes("/") && !e.isDirectory)) {
      report(
        "error",
        "tgz-leading-folder",
        "TorchServe strips the first folder of every tar.gz entry, so all entries must sit under one folder",
        {
          hint: "Use `mserve package --archive-format tgz`, which writes <name>/… entries.",
        },
      );
    }
  }
  if (listing.kind === "zip" && !listing.manifestEntry) {
    const nested = listing.entries.find((e) => e.name.endsWith(`/${MANIFEST_PATH}`));
    if (nested) {
      report(
        "error",
        "zip-leading-folder",
        `the manifest is at ${nested.name}, but TorchServe does not strip folders from a .mar`,
        {
          hint: "Archive the folder's contents, not the folder.",
        },
      );
    }
  }
}

function checkEntries(listing: ArtifactListing, report: Report): void {
  const seen = new Set<string>();
  for (const entry of listing.entries) {
    const name = checkEntryName(entry.name);
    if (!name.ok) {
      report(
        "error",
        "unsafe-entry-name",
        `unsafe entry name ${JSON.stringify(entry.name)}: ${name.reason}`,
        {
          entry: entry.name,
          hint: 'TorchServe refuses it ("Detected Zip Slip vulnerability"). Re-create the archive from a clean folder.',
        },
      );
    }
    if (seen.has(entry.name))
      report("error", "duplicate-entry", `entry ${entry.name} appears twice`, { entry: entry.name });
    seen.add(entry.name);
    if (entry.isSymlink)
      report("warning", "symlink-entry", `entry ${entry.name} is a symlink`, { entry: entry.name });
    if (entry.encrypted) {
      report("error", "encrypted-entry", `entry ${entry.name} is encrypted; TorchServe cannot read it`, {
        entry: entry.name,
      });
    }
    const local = entry.local;
    if (!local) continue;
    if (local.method !== 0 && local.method !== 8) {
      report(
        "error",
        "unsupported-method",
        `entry ${entry.name} uses compression method ${local.method}; Java reads only stored (0) and deflated (8)`,
        {
          entry: entry.name,
        },
      );
    }
    if (local.method === 0 && local.dataDescriptor) {
      report(
        "error",
        "stored-with-data-descriptor",
        `entry ${entry.name} is stored with a data descriptor, which java.util.zip.ZipInputStream rejects`,
        {
          entry: entry.name,
          hint: 'TorchServe fails with "only DEFLATED entries can have EXT descriptor". Re-create it with `mserve package`.',
        },
      );
    }
    if (local.name !== entry.name) {
      report(
        "error",
        "local-name-mismatch",
        `entry ${entry.name} is named ${JSON.stringify(local.name)} in its local header, which TorchServe uses`,
        {
          entry: entry.name,
        },
      );
    }
  }
}

function checkManifest(text: string, root: Set<string>, listing: ArtifactListing, report: Report): void {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    report("error", "manifest-json", `${MANIFEST_PATH} is not valid JSON: ${(error as Error).message}`, {
      hint: 'TorchServe answers 400 "Failed to parse signature.json."',
    });
    return;
  }
  const m = (typeof manifest === "object" && manifest !== null ? manifest : {}) as Record<string, unknown>;
  const model = m.model as Record<string, unknown> | undefined;
  if (typeof model !== "object" || model === null) {
    report("error", "manifest-model", 'the manifest has no "model" object', {
      hint: 'TorchServe refuses it: "Missing Model entry in manifest file."',
    });
    return;
  }
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const name = str(model.modelName);
  if (!name)
    report("error", "model-name", "model.modelName is missing", {
      hint: 'TorchServe refuses it: "Model name is not defined."',
    });
  else if (!MODEL_NAME_PATTERN.test(name) || name.includes("..")) {
    report(
      "error",
      "model-name",
      `model.modelName "${name}" must match ${MODEL_NAME_PATTERN.source} without ".."`,
    );
  }
  const version = str(model.modelVersion);
  if (version === undefined)
    report("warning", "model-version", "model.modelVersion is missing; TorchServe will use 1.0");
  else if (!VERSION_PATTERN.test(version) || version.includes("..")) {
    report("error", "model-version", `model.modelVersion "${version}" is not URL-safe`, {
      hint: "It appears in /models/{name}/{version}.",
    });
  }
  if (m.runtime === undefined) report("warning", "runtime", "runtime is missing; TorchServe assumes python");
  else if (!(RUNTIMES as readonly unknown[]).includes(m.runtime)) {
    report("error", "runtime", `runtime ${JSON.stringify(m.runtime)} is not one of ${RUNTIMES.join(", ")}`, {
      hint: 'TorchServe refuses it: "Runtime is not defined or invalid."',
    });
  }
  if (m.archiverVersion === undefined)
    report("warning", "archiver-version", "archiverVersion is missing; TorchServe logs a warning");
  checkHandler(str(model.handler), root, report);
  const referenced: Array<[string, string]> = [
    ["serializedFile", "the weights"],
    ["modelFile", "the model class"],
    ["requirementsFile", "the requirements"],
    ["configFile", "the model config"],
  ];
  for (const [key, what] of referenced) {
    const file = str(model[key]);
    if (file !== undefined && !root.has(file)) {
      report(
        "error",
        "missing-file",
        `model.${key} names ${file} (${what}), which is not in the archive root`,
        { entry: file },
      );
    }
  }
  const serialized = str(model.serializedFile);
  if (
    serialized &&
    !model.modelFile &&
    !/\.(pt|onnx|so)$/.test(serialized) &&
    !str(model.handler)?.endsWith(".py")
  ) {
    report(
      "warning",
      "serialized-format",
      `${serialized} has no model.modelFile: TorchServe's BaseHandler loads only .pt (TorchScript), .onnx or .so files on its own`,
    );
  }
  if (str(model.requirementsFile)) {
    report(
      "warning",
      "requirements-ignored",
      "the requirements file is ignored unless the server sets install_py_dep_per_model=true",
    );
  }
  if (str(model.configFile) && listing.configText !== undefined) checkModelConfig(listing.configText, report);
}

function checkHandler(handler: string | undefined, root: Set<string>, report: Report): void {
  if (!handler) {
    report("error", "handler", "model.handler is missing; the worker would have nothing to import", {
      hint: "Re-package with --handler <file.py> or a built-in name.",
    });
    return;
  }
  // Resolved as the worker does (model_loader.py): module before ':', minus .py, last '/' segment.
  const module = (handler.split(":")[0] ?? "").replace(/\.py$/, "").split("/").pop() ?? "";
  if (root.has(`${module}.py`) || isBuiltinHandler(module)) return;
  if (root.has(`${module}.so`) || root.has(`${module}.dylib`)) return;
  report(
    "error",
    "handler",
    `handler "${handler}" is neither a built-in nor a file ${module}.py in the archive root`,
    {
      hint: "Handler files must sit at the archive root; TorchServe imports them from the model folder.",
    },
  );
}

const INT_KEYS = [
  "minWorkers",
  "maxWorkers",
  "batchSize",
  "maxBatchDelay",
  "responseTimeout",
  "startupTimeout",
  "parallelLevel",
];

/** TorchServe only logs a warning for wrong types in model-config.yaml; say so before it is deployed. */
function checkModelConfig(text: string, report: Report): void {
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (error) {
    report(
      "error",
      "model-config",
      `the model config is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
    );
    return;
  }
  if (typeof config !== "object" || config === null) return;
  const c = config as Record<string, unknown>;
  for (const key of INT_KEYS) {
    if (c[key] !== undefined && !Number.isInteger(c[key])) {
      report(
        "warning",
        "model-config",
        `model config ${key} should be an integer, got ${JSON.stringify(c[key])}; TorchServe will ignore it`,
      );
    }
  }
  if (c.minWorkers === 0)
    report("warning", "model-config", "model config minWorkers 0 becomes 1 in TorchServe");
  if (typeof c.minWorkers === "number" && typeof c.maxWorkers === "number" && c.maxWorkers < c.minWorkers) {
    report("warning", "model-config", "model config maxWorkers is below minWorkers; TorchServe ignores both");
  }
  if (c.deviceType !== undefined && c.deviceType !== "cpu" && c.deviceType !== "gpu") {
    report(
      "warning",
      "model-config",
      `model config deviceType ${JSON.stringify(c.deviceType)} is not cpu or gpu; TorchServe drops it`,
    );
  }
}
