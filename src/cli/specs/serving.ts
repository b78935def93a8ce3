import { targetOptions } from "../../targets/options.js";
import { arg, command, opt } from "../options.js";
import { idOption, inputOptions, registryOption, serverOptions } from "./shared.js";

export const deploySpec = command({
  name: "deploy",
  description:
    "put a model on a server and wait until it answers: package (when nothing is given), place, load, wait until READY",
  args: [
    arg(
      "[artifact]",
      ".mar/.tar.gz, Triton model folder, SavedModel folder, or a registry reference such as intent@PROD (default: package ./mserve.yaml)",
    ),
    arg("[version]", "version or alias, with a model name from the registry"),
  ],
  options: {
    ...serverOptions("180s"),
    ...targetOptions("connect"),
    ...idOption,
    ...registryOption,
    config: opt.string("--config <file>", "project file to package from (default ./mserve.yaml)"),
    modelName: opt.string("--model-name <name>", "name to serve under (tfserving, kserve)"),
    replace: opt.flag("--replace", "swap in a different artifact under an already deployed version"),
    wait: opt.negatable("--no-wait", "return once placed, without waiting until READY"),
    dryRun: opt.flag("--dry-run", "kserve: print the InferenceService instead of applying it"),
    ...targetOptions("deploy"),
  },
  examples: [
    "mserve deploy                                  # package ./mserve.yaml and deploy it",
    "mserve deploy dist/intent.mar --min-workers 2 --timeout 5m",
    "mserve deploy intent@PROD                      # the version PROD points at, from the registry",
    "mserve deploy dist/intent.mar --url http://10.0.0.5:8081 --model-store /mnt/models",
    "mserve deploy model_repository/intent --target triton --smoke 'set a timer'",
    "mserve deploy export/ --target tfserving --model-name linear --model-version 2",
    "mserve deploy --target kserve --model-name intent --storage-uri s3://models/intent --dry-run",
  ],
});

export const modelsSpec = command({
  name: "models",
  description: "list the models and versions a server has, or describe one",
  args: [
    arg("[model]", "name, name:version, name@ALIAS or the pair name ALIAS"),
    arg("[version]", "version or alias"),
  ],
  options: { ...serverOptions("30s"), ...targetOptions("connect"), ...idOption, ...registryOption },
  examples: [
    "mserve models",
    "mserve models intent",
    "mserve models intent:2 -o json",
    "mserve models --target triton",
  ],
});

export const registerSpec = command({
  name: "register",
  description: "register an archive already in TorchServe's model store (or at a URL) without copying it",
  args: [arg("<url>", "file name in the model store, or http(s):// URL of a .mar")],
  options: {
    ...serverOptions("180s"),
    ...targetOptions("connect"),
    modelName: opt.string("--model-name <name>", "name to register under (default: from the manifest)"),
    wait: opt.negatable("--no-wait", "do not wait for workers"),
    ...targetOptions("register"),
  },
});

export const unregisterSpec = command({
  name: "unregister",
  description: "take a model version off a server (asks first; --yes in scripts)",
  args: [
    arg("<model>", "name or name:version (no version: the default version)"),
    arg("[version]", "version, as an alternative to name:version"),
  ],
  options: {
    ...serverOptions("130s"),
    ...targetOptions("connect"),
    yes: opt.flag("-y, --yes", "do not ask for confirmation"),
    ...targetOptions("unregister"),
  },
});

export const scaleSpec = command({
  name: "scale",
  description: "set the number of workers of a model version",
  args: [
    arg("<model>", "name or name:version"),
    arg("[version]", "version, as an alternative to name:version"),
  ],
  options: { ...serverOptions("120s"), ...targetOptions("connect"), ...targetOptions("scale") },
  examples: ["mserve scale intent:1 --min 2 --max 2 --wait"],
});

export const setDefaultSpec = command({
  name: "set-default",
  description: "make a version the one a model's name answers with",
  args: [arg("<model>", "model name (or name:version)"), arg("[version]", "version to make the default")],
  options: { ...serverOptions("30s"), ...targetOptions("connect"), ...targetOptions("set-default") },
});

export const predictSpec = command({
  name: "predict",
  description: "send a prediction to a version or alias (putting it on the server first if it lacks it)",
  args: [
    arg("[model]", "intent (server default), intent:3, intent@PROD, or the pair intent PROD"),
    arg("[version]", "version or alias"),
  ],
  options: {
    ...serverOptions("60s"),
    ...targetOptions("connect"),
    ...inputOptions(" (images, audio, …)"),
    requestId: opt.string("--request-id <id>", "request id to send (default: a new UUID)"),
    version: opt.string("--version <version>", "version or alias, as an alternative to the second argument"),
    ...idOption,
    batch: opt.string(
      "--batch <file.jsonl>",
      "one input per line (a JSON string is sent as text); - for stdin",
    ),
    concurrency: opt.int("-c, --concurrency <n>", "requests in flight with --batch", 1, undefined, {
      default: 4,
    }),
    groupId: opt.string(
      "--group-id <id>",
      "group id for the prediction log (default with --batch: a new UUID)",
    ),
    autoRegister: opt.negatable(
      "--no-auto-register",
      "fail (exit 4) instead of putting a registry version the server lacks on it",
    ),
    logOutput: opt.negatable("--no-log-output", "keep model outputs out of the prediction log"),
    ...registryOption,
    ...targetOptions("predict"),
  },
  examples: [
    "mserve predict intent --data 'set a timer for ten minutes'",
    "mserve predict intent PROD --data 'play some jazz'      # alias from the registry",
    'mserve predict intent:2 --json \'{"text": "play some jazz"}\' -o json',
    "mserve predict intent@PROD --batch inputs.jsonl -c 8 > outputs.jsonl",
    "mserve predict intent --target triton --data 'play some jazz'          # v2 infer; shapes from metadata",
    "mserve predict identity --target triton -i INPUT0='[[1,2,3]]'",
    "mserve predict linear@stable --target tfserving --data '[[1,2,3]]'",
    "mserve predict intent:2 --target kserve --url http://ingress --host intent.default.example.com --protocol v2 --data 'hi'",
  ],
});

export const benchSpec = command({
  name: "bench",
  description: "measure latency percentiles and throughput of a served model across concurrency levels",
  args: [
    arg("<model>", "name, name:version, name@ALIAS or the pair name ALIAS"),
    arg("[version]", "version or alias (default: the server's default version)"),
  ],
  options: {
    ...serverOptions("30s"),
    ...targetOptions("connect"),
    ...inputOptions(),
    ...idOption,
    ...registryOption,
    batch: opt.string(
      "--batch <file.jsonl>",
      "one input per line (a JSON string is sent as text), cycled through",
    ),
    concurrency: opt.string("-c, --concurrency <list>", "concurrency levels, run in turn", {
      default: "1,2,4,8,16",
    }),
    duration: opt.string("--duration <duration>", "measured time per level (default 20s)"),
    requests: opt.int("-n, --requests <n>", "measured requests per level, instead of --duration", 1),
    warmup: opt.string("--warmup <duration>", "un-measured warm-up per level", { default: "3s" }),
    rate: opt.string(
      "--rate <r>",
      "open loop: requests per second on a fixed schedule (latency includes queueing)",
    ),
    requestTimeout: opt.string(
      "--request-timeout <duration>",
      "per-request limit; a slower answer counts as a timeout",
      { default: "30s" },
    ),
    csv: opt.string("--csv <file>", "also write the figures as CSV"),
    ...targetOptions("bench"),
  },
  examples: [
    "mserve bench intent --data 'set a timer' -c 1,2,4,8 --duration 10s",
    "mserve bench intent 2 --batch fixtures/intent/samples.jsonl -o json > bench.json",
    "mserve bench intent --data hi -c 16 --rate 200 --duration 30s",
    "mserve bench intent --target triton --data 'set a timer' -n 500 -c 1,4",
  ],
});
