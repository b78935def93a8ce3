import { targetOptions } from "../../targets/options.js";
import { TARGETS } from "../../targets/table.js";
import type { TargetDescriptor } from "../../targets/target.js";
import { compressionRatioOptions } from "../archive-limits.js";
import { arg, command, opt } from "../options.js";
import { registryOption, targetOption } from "./shared.js";

/** Every target's init templates, for --template's choices; which target has which is checked when init runs. */
const templateNames = [
  ...new Set((Object.values(TARGETS) as TargetDescriptor[]).flatMap((t) => t.templates?.names ?? [])),
] as readonly string[];

export const initSpec = command({
  name: "init",
  description: "scaffold a model project: mserve.yaml, a handler or model class, and a README",
  args: [arg("[dir]", "folder to create the project in", { default: "." })],
  options: {
    target: targetOption("server the project is for (default: torchserve)"),
    template: opt.choice(
      "-t, --template <name>",
      `project template (default: the target's own; ${(Object.values(TARGETS) as TargetDescriptor[])
        .filter((t) => t.templates)
        .map((t) => `${t.id}: ${t.templates?.names.join(", ")}`)
        .join("; ")})`,
      templateNames,
    ),
    name: opt.string("--name <model-name>", "model name (default: the folder name)"),
    force: opt.flag("-f, --force", "overwrite existing files"),
  },
  examples: ["mserve init --template text-classifier intent", "mserve init -t custom ."],
});

export const packageSpec = command({
  name: "package",
  description:
    "build a model artifact from mserve.yaml and/or flags: a .mar, a Triton model folder, a SavedModel layout, an InferenceService or an MLServer model folder",
  args: [],
  options: {
    target: targetOption("server to package for (default: mserve.yaml's target, else torchserve)"),
    config: opt.string("--config <file>", "project file (default: ./mserve.yaml when present)"),
    modelName: opt.string("--model-name <name>", "model name; also the output file name"),
    version: opt.string("-v, --version <version>", "model version (URL-safe)"),
    exportPath: opt.string(
      "--export-path <dir>",
      "folder to write the artifact to (default: current folder)",
    ),
    force: opt.flag("-f, --force", "overwrite an existing artifact"),
    dryRun: opt.flag("--dry-run", "print what would be written without writing anything"),
    register: opt.flag("--register", "also push the artifact into the model registry"),
    ...registryOption,
    ...targetOptions("package"),
  },
  examples: [
    "mserve package                       # everything from ./mserve.yaml",
    "mserve package --register            # and push it to the registry (release it with `mserve release`)",
    "mserve package --model-name intent -v 1 --serialized-file model.pt --model-file model.py \\",
    "    --handler handler.py --extra-files vocab.json,index_to_name.json --export-path dist",
    "mserve package --archive-format zip-store -f -o json",
    "mserve package --target triton --repository model_repository   # config.pbtxt + 1/model.py …",
    "mserve package --target tfserving --saved-model export --model-name linear -v 2 --base models --label stable=2",
    "mserve package --target kserve --model-name intent --storage-uri s3://models/intent",
  ],
});

export const inspectSpec = command({
  name: "inspect",
  description: "show an artifact's manifest, entries, sizes and sha256 without extracting it",
  args: [arg("<path>", ".mar, .tar.gz, .zip or artifact folder")],
  options: {
    target: targetOption("read the path as this target's artifact (default: recognised from the path)"),
  },
  examples: ["mserve inspect dist/intent.mar", "mserve inspect dist/intent.mar -o json"],
});

export const validateSpec = command({
  name: "validate",
  description: "check an artifact offline the way its server will read it; exit 3 on errors",
  args: [
    arg(
      "<path>",
      ".mar/.tar.gz/artifact folder, Triton repository/model folder/config.pbtxt, TF Serving base or models.config, InferenceService YAML",
    ),
  ],
  options: {
    target: targetOption("read the path as this target's artifact (default: recognised from the path)"),
    ...targetOptions("validate"),
  },
  examples: [
    "mserve validate dist/intent.mar",
    "mserve validate dist/intent -o json",
    "mserve validate model_repository               # every model: config syntax (line:column) and Triton's rules",
    "mserve validate model_repository/intent/config.pbtxt",
    "mserve validate models/models.config",
    "mserve validate intent.yaml                    # an InferenceService, against KServe's CRD schema",
  ],
});

export const unpackSpec = command({
  name: "unpack",
  description: "extract an archive safely: nothing lands outside the target folder",
  args: [arg("<archive>", ".mar, .zip or .tar.gz")],
  options: {
    dest: opt.string("-d, --dest <dir>", "folder to extract into (must not exist unless --force)"),
    outputDir: opt.string("--output-dir <dir>", "old spelling of --dest", { hidden: true }),
    maxBytes: opt.string("--max-bytes <size>", "largest total uncompressed size allowed (e.g. 2GiB)", {
      default: "20GiB",
    }),
    maxEntries: opt.int("--max-entries <n>", "largest number of entries allowed", 0, undefined, {
      default: 100000,
    }),
    stripComponents: opt.int(
      "--strip-components <n>",
      "drop leading path segments (1 for TorchServe-style tgz)",
      0,
    ),
    ...compressionRatioOptions,
    force: opt.flag("-f, --force", "replace the target folder if it exists"),
  },
  legacyOutputDir: "dest",
  examples: [
    "mserve unpack dist/intent.mar -d /tmp/intent",
    "mserve unpack model.tar.gz -d out --max-bytes 50GiB",
  ],
});
