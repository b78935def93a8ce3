import { targetOptions } from "../../targets/options.js";
import { arg, command, opt } from "../options.js";
import { idOption, registryOption, targetOption } from "./shared.js";

export const registryGroupSpec = command({
  name: "registry",
  description: "the model registry: versions, ids and artifacts that releases and predict resolve against",
  args: [],
  options: {},
  examples: [
    "mserve registry push dist/intent.mar --tag git=$(git rev-parse --short HEAD)",
    "mserve registry list intent",
    "mserve registry show intent@PROD",
    "MSERVE_REGISTRY=mlflow+http://127.0.0.1:5000 mserve registry list",
  ],
});

export const registryPushSpec = command({
  name: "registry push",
  description: "store an artifact under its name and version (same bytes twice: nothing new stored)",
  args: [
    arg(
      "<artifact>",
      ".mar / .tar.gz (name and version from its manifest) or any file with --name/--version",
    ),
  ],
  options: {
    ...registryOption,
    name: opt.string("--name <name>", "model name (TorchServe archives: must match the manifest)"),
    version: opt.string(
      "--version <version>",
      "model version (TorchServe archives: must match the manifest)",
    ),
    description: opt.string("--description <text>", "free text shown by `registry show`"),
    tag: opt.list("--tag <key=value>", "metadata tag; repeat for more"),
  },
});

export const registryListSpec = command({
  name: "registry list",
  description: "list models, or the versions of one with ids and aliases",
  args: [arg("[name]", "model name")],
  options: { ...registryOption },
});

export const registryShowSpec = command({
  name: "registry show",
  description: "show a version's metadata, aliases, artifact location and hash",
  args: [
    arg("[ref]", "intent, intent:3, intent@PROD or the pair intent PROD"),
    arg("[version-or-alias]", "second word of the pair form"),
  ],
  options: { ...registryOption, id: opt.string("--id <id>", "select the version by id") },
});

export const registryRmSpec = command({
  name: "registry rm",
  description: "remove a version (refused while an alias points at it)",
  args: [
    arg("[ref]", "intent:3 or intent 3"),
    arg("[version]", "version, as an alternative to name:version"),
  ],
  options: {
    ...registryOption,
    id: opt.string("--id <id>", "select the version by id"),
    reason: opt.string("--reason <text>", "recorded in the history"),
    yes: opt.flag("-y, --yes", "do not ask for confirmation"),
  },
});

export const registryVerifySpec = command({
  name: "registry verify",
  description: "re-hash every artifact; exit 3 when one is missing or corrupt; list leftovers",
  args: [],
  options: {
    ...registryOption,
    prune: opt.flag(
      "--prune",
      "delete leftovers older than an hour (unused blobs, temp files of killed pushes)",
    ),
  },
});

export const registryHistorySpec = command({
  name: "registry history",
  description: "pushes, removals and alias moves of a model, oldest first",
  args: [arg("<name>", "model name")],
  options: { ...registryOption, alias: opt.string("--alias <alias>", "only this alias's moves") },
});

export const releaseSpec = command({
  name: "release",
  description: "point an alias (PROD, STG, …) at a version; predict and bench follow it",
  args: [arg("<model>", "model name (or name:version)"), arg("[version]", "version to release")],
  options: {
    ...registryOption,
    as: opt.string("--as <alias>", "alias to move, e.g. PROD", { required: true }),
    reason: opt.string("--reason <text>", "recorded in the alias history"),
    target: targetOption(
      "tfserving: also move the label in models.config (together with the registry alias; only the label when the registry lacks the model)",
    ),
    ...targetOptions("release"),
  },
  examples: [
    "mserve release intent 3 --as PROD --reason 'beats 2 on the eval set'",
    "mserve release linear 2 --as stable --target tfserving --base models",
  ],
});

export const rollbackSpec = command({
  name: "rollback",
  description: "move an alias back to the version it pointed at before its last move",
  args: [arg("<model>", "model name")],
  options: {
    ...registryOption,
    alias: opt.string("--alias <alias>", "alias to roll back, e.g. PROD", { required: true }),
    reason: opt.string("--reason <text>", "recorded in the alias history"),
  },
});

export const feedbackSpec = command({
  name: "feedback",
  description: "attach a label (and a comment) to a logged prediction",
  args: [arg("<request-id>", "request id printed by predict")],
  options: {
    label: opt.string("--label <label>", "what the right answer was, or a verdict such as correct/wrong", {
      required: true,
    }),
    comment: opt.string("--comment <text>", "free text"),
  },
});

export { idOption };
