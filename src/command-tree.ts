import { type Command, Option } from "commander";
import type { Context } from "./context.js";

/** What every command module exports: parse raw values → call the core → render. */
export type CommandRun = (
  positional: string[],
  options: Record<string, unknown>,
  ctx: Context,
) => Promise<void>;
type Loader = () => Promise<{ run: CommandRun }>;

const contexts = new WeakMap<Command, Context>();
export const setCommandContext = (cmd: Command, ctx: Context) => contexts.set(cmd, ctx);

/**
 * Option values from the program down to `cmd`, nearest command winning.
 * (commander's optsWithGlobals lets ancestors win, so a program-level default
 * would mask `package -o json`.) `--no-color` anywhere turns colour off.
 */
export function mergedOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) if (value !== undefined) merged[key] = value;
  }
  if (chain.some((c) => c.opts().color === false)) merged.color = false;
  return merged;
}

/** Command modules load only when their command runs, keeping `mserve --version` cheap. */
function lazy(load: Loader) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2).flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? a : [a]));
    const ctx = contexts.get(cmd);
    if (!ctx) throw new Error(`no context for command ${cmd.name()}`);
    const { run } = await load();
    // Flags given before the subcommand (e.g. `mserve --config x package`) count too.
    await run(positional as string[], mergedOptions(cmd), ctx);
  };
}

/**
 * Global flags repeated on each subcommand: the program uses positional
 * options so `package --version 3` (model version) and `unpack -o DIR` can
 * mean what torch-model-archiver and unzip users expect. No defaults here:
 * a subcommand default would mask a flag given before the subcommand.
 */
function withGlobals(cmd: Command, { shortOutput = true } = {}): Command {
  cmd
    .addOption(
      new Option(shortOutput ? "-o, --output <format>" : "--output <format>", "output format").choices([
        "text",
        "json",
      ]),
    )
    .option("-q, --quiet", "print results only, no progress or notes")
    .option("--debug", "show stack traces for unexpected errors")
    .option("--no-color", "disable colours (also NO_COLOR=1)");
  return cmd;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function withRegistryFlag(cmd: Command): Command {
  return cmd.option(
    "--registry <location>",
    "registry folder, or mlflow+http://host:5000 (default: MSERVE_REGISTRY, then $MSERVE_HOME/registry)",
  );
}

/** The InferenceService flags package and deploy share (commands/support/kserve-ops.ts reads them). */
function withKserve(cmd: Command): Command {
  return cmd
    .option("--storage-uri <uri>", "kserve: where the packaged model lives (s3://, gs://, pvc://, https://)")
    .addOption(
      new Option("--source <kind>", "kserve: what was packaged (default torchserve)").choices([
        "torchserve",
        "triton",
        "tfserving",
      ]),
    )
    .addOption(
      new Option("--protocol <version>", "kserve: v1 or v2 (default v1; v2 for triton)").choices([
        "v1",
        "v2",
      ]),
    )
    .option("--min-replicas <n>", "kserve: minimum replicas (0 scales to zero)")
    .option("--max-replicas <n>", "kserve: maximum replicas")
    .option("--scale-target <n>", "kserve: autoscaling target per replica")
    .addOption(
      new Option("--scale-metric <metric>", "kserve: autoscaling metric").choices([
        "concurrency",
        "rps",
        "cpu",
        "memory",
      ]),
    )
    .option("--canary-traffic-percent <n>", "kserve: share of traffic for this revision (canary release)")
    .option("--cpu <quantity>", "kserve: CPU request and limit, e.g. 1 or 500m")
    .option("--memory <quantity>", "kserve: memory request and limit, e.g. 2Gi")
    .option("--namespace <ns>", "kserve: Kubernetes namespace");
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;

/** How commands that talk to a server pick it (targets/torchserve/connect.ts). */
function withServer(cmd: Command, defaultTimeout: string): Command {
  return cmd
    .addOption(
      new Option("--target <server>", "server kind (default: that of --server, or the kind running)").choices(
        ["torchserve", "triton", "tfserving", "kserve"],
      ),
    )
    .option("--server <name>", "a server started by `mserve serve` (default: the one running)")
    .option("--url <url>", "management API of another TorchServe, e.g. http://127.0.0.1:8081")
    .option("--inference-url <url>", "its inference API (default: --url with port - 1)")
    .option("--key-file <path>", "its key_file.json when token authorization is on")
    .option("--timeout <duration>", `how long to wait (e.g. 30s, 2m; default ${defaultTimeout})`);
}

function withWorkers(cmd: Command): Command {
  return cmd
    .option("--min-workers <n>", "workers to start and keep (default 1, or minWorkers from the model config)")
    .option("--max-workers <n>", "upper bound for workers (default: --min-workers)")
    .option("--batch-size <n>", "requests batched per inference call")
    .option("--max-batch-delay <ms>", "how long to wait to fill a batch")
    .option("--response-timeout <s>", "seconds a worker may take per request before it is restarted");
}

/** The request-body flags shared by predict and bench (predict/input.ts reads them). */
function withInput(cmd: Command, { fileHint = "" } = {}): Command {
  return cmd
    .option("-d, --data <text>", "request body as text")
    .option("--file <path>", `request body from a file${fileHint}`)
    .option("--json <json>", "JSON body: inline, @file or @- for stdin")
    .option("--content-type <type>", "override the Content-Type sent");
}

export function registerCommands(program: Command): void {
  program.enablePositionalOptions();

  withGlobals(program.command("init"))
    .description("scaffold a model project: mserve.yaml, a handler and a README")
    .argument("[dir]", "folder to create the project in", ".")
    .addOption(
      new Option("-t, --template <name>", "project template")
        .choices(["text-classifier", "image-classifier", "custom"])
        .default("text-classifier"),
    )
    .option("--name <model-name>", "model name (default: the folder name)")
    .option("-f, --force", "overwrite existing files")
    .addHelpText(
      "after",
      examples(["mserve init --template text-classifier intent", "mserve init -t custom ."]),
    )
    .action(lazy(() => import("./commands/init.js")));

  withKserve(withGlobals(program.command("package")))
    .description("build a model artifact (TorchServe .mar, tgz or folder) from mserve.yaml and/or flags")
    .addOption(
      new Option("--target <server>", "server to package for").choices([
        "torchserve",
        "triton",
        "tfserving",
        "kserve",
      ]),
    )
    .option("--saved-model <dir>", "tfserving: the SavedModel folder to place")
    .option("--base <dir>", "tfserving: the model base folder holding models.config (default ./models)")
    .option("--version-policy <policy>", "tfserving: latest, latest:N, all or specific:1,3")
    .option(
      "--label <name=version>",
      "tfserving: a version label (e.g. stable=2); repeat for more",
      collect,
      [],
    )
    .option(
      "--archive <mar>",
      "kserve: also write the TorchServe storage folder (config.properties + model-store) for this .mar",
    )
    .option("--repository <dir>", "triton: model repository to add the model to (default ./model_repository)")
    .addOption(
      new Option(
        "--triton-backend <backend>",
        "triton: backend (default python, or targets.triton.backend)",
      ).choices(["python", "pytorch", "onnxruntime", "tensorflow"]),
    )
    .option("--max-batch-size <n>", "triton: max_batch_size (default 8; 0 turns batching off)")
    .option("--config <file>", "project file (default: ./mserve.yaml when present)")
    .option("--model-name <name>", "model name; also the output file name")
    .option("-v, --version <version>", "model version (URL-safe)")
    .option("--serialized-file <path>", "weights: TorchScript .pt, state_dict, .onnx, …")
    .option("--model-file <path>", "Python file defining the model class (eager mode)")
    .option("--handler <handler>", "built-in handler name or path/to/handler.py[:function]")
    .option("--extra-files <list>", "comma-separated files, folders or globs to add")
    .option("-r, --requirements-file <path>", "pip requirements for the model")
    .option("-c, --config-file <path>", "TorchServe model-config.yaml")
    .addOption(new Option("--runtime <runtime>", "worker runtime").choices(["python", "python3", "LSP"]))
    .addOption(
      new Option("--archive-format <format>", "archive format").choices([
        "default",
        "zip-store",
        "tgz",
        "no-archive",
      ]),
    )
    .option("--export-path <dir>", "folder to write the artifact to (default: current folder)")
    .option("-f, --force", "overwrite an existing artifact")
    .option("--preserve-paths", "keep extra files' relative folders instead of flattening them")
    .option("--dry-run", "print what would be archived without writing anything")
    .option("--register", "also push the archive into the model registry")
    .option("--registry <location>", "registry folder or mlflow+http://host:5000 (default: MSERVE_REGISTRY)")
    .addHelpText(
      "after",
      examples([
        "mserve package                       # everything from ./mserve.yaml",
        "mserve package --register            # and push it to the registry (release it with `mserve release`)",
        "mserve package --model-name intent -v 1 --serialized-file model.pt --model-file model.py \\",
        "    --handler handler.py --extra-files vocab.json,index_to_name.json --export-path dist",
        "mserve package --archive-format zip-store -f -o json",
        "mserve package --target triton --repository model_repository   # config.pbtxt + 1/model.py …",
        "mserve package --target tfserving --saved-model export --model-name linear -v 2 --base models --label stable=2",
      ]),
    )
    .action(lazy(() => import("./commands/package.js")));

  withGlobals(program.command("inspect"))
    .description("show an archive's manifest, entries, sizes and sha256 without extracting it")
    .argument("<path>", ".mar, .tar.gz, .zip or artifact folder")
    .addHelpText(
      "after",
      examples(["mserve inspect dist/intent.mar", "mserve inspect dist/intent.mar -o json"]),
    )
    .action(lazy(() => import("./commands/inspect.js")));

  withGlobals(program.command("validate"))
    .description("check an artifact offline the way its server will read it; exit 3 on errors")
    .argument("<path>", ".mar, .tar.gz or artifact folder; Triton repository, model folder or config.pbtxt")
    .addHelpText(
      "after",
      examples([
        "mserve validate dist/intent.mar",
        "mserve validate dist/intent -o json",
        "mserve validate model_repository               # every model: config syntax (line:column) and Triton's rules",
        "mserve validate model_repository/intent/config.pbtxt",
      ]),
    )
    .action(lazy(() => import("./commands/validate.js")));

  withGlobals(program.command("unpack"), { shortOutput: false })
    .description("extract an archive safely: nothing lands outside the target folder")
    .argument("<archive>", ".mar, .zip or .tar.gz")
    .requiredOption("-o, --output-dir <dir>", "folder to extract into (must not exist unless --force)")
    .option("--max-bytes <size>", "largest total uncompressed size allowed (e.g. 2GiB)", "20GiB")
    .option("--max-entries <n>", "largest number of entries allowed", "100000")
    .option("--strip-components <n>", "drop leading path segments (1 for TorchServe-style tgz)")
    .option("-f, --force", "replace the target folder if it exists")
    .addHelpText(
      "after",
      examples([
        "mserve unpack dist/intent.mar -o /tmp/intent",
        "mserve unpack model.tar.gz -o out --max-bytes 50GiB",
      ]),
    )
    .action(lazy(() => import("./commands/unpack.js")));

  withGlobals(program.command("serve"))
    .description("start a TorchServe (local process or docker container) and wait until it is healthy")
    .addOption(
      new Option("--target <server>", "server to start")
        .choices(["torchserve", "triton", "tfserving"])
        .default("torchserve"),
    )
    .option(
      "--base <dir>",
      "tfserving: model base folder holding models.config (default: under $MSERVE_HOME)",
    )
    .option("--config-poll <seconds>", "tfserving: how often it re-reads models.config", "5")
    .option("--repository <dir>", "triton: model repository (default: under $MSERVE_HOME)")
    .addOption(
      new Option("--runtime <runtime>", "how to run it").choices(["local", "docker"]).default("local"),
    )
    .option("--name <name>", "name for ps/stop/logs and --server (default: torchserve or triton)")
    .option("--model-store <dir>", "folder the server loads archives from (default: under $MSERVE_HOME)")
    .option(
      "--ports <list>",
      "inference,management,metrics[,grpc,grpc-mgmt] ports, or auto (default 8080,8081,8082)",
    )
    .option("--image <image>", "container image for --runtime docker (default pytorch/torchserve:0.12.0-cpu)")
    .option("--disable-token-auth", "turn TorchServe's token authorization off (on by default)")
    .option("--no-wait", "return once started, without waiting for /ping")
    .option("--timeout <duration>", "how long to wait for /ping (default 120s)")
    .option("--dry-run", "print the config and command without starting anything")
    .addHelpText(
      "after",
      examples([
        "mserve serve                                   # local TorchServe on 127.0.0.1:8080-8082",
        "mserve serve --runtime docker --dry-run        # print the docker run line",
        "mserve serve --name ci --ports auto --disable-token-auth",
        "mserve serve --target triton --ports auto     # tritonserver (PATH, or nvidia-pytriton's in ./.venv-triton)",
      ]),
    )
    .action(lazy(() => import("./commands/serve.js")));

  withGlobals(program.command("stop"))
    .description("stop a server started by `mserve serve` (graceful, then forced)")
    .argument("[name]", "server name", undefined)
    .option("--all", "stop every recorded server")
    .option("--timeout <duration>", "grace period before the server is killed", "20s")
    .action(lazy(() => import("./commands/stop.js")));

  withGlobals(program.command("ps"))
    .description("list servers started by `mserve serve`, flagging records whose process is gone")
    .action(lazy(() => import("./commands/ps.js")));

  withGlobals(program.command("logs"))
    .description("print a server's log, or query the prediction log (`mserve logs predictions`)")
    .argument("[name]", "server name (default torchserve), or `predictions`")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("-n, --tail <lines>", "lines (or predictions) from the end to show (default 100)")
    .option("--model <name>", "predictions: only this model name or model id")
    .option("--group <id>", "predictions: only this group id (one batch, or --group-id)")
    .option("--since <when>", "predictions: newer than a duration ago (2h, 7d) or a date (2026-11-24)")
    .addHelpText(
      "after",
      examples([
        "mserve logs -f",
        "mserve logs predictions --model intent --since 1d",
        "mserve logs predictions --group nightly-42 -o json",
      ]),
    )
    .action(lazy(() => import("./commands/logs.js")));

  withKserve(withGlobals(withWorkers(withServer(program.command("deploy"), "180s"))))
    .description("package (when no archive is given), copy into the model store, register, wait until READY")
    .argument(
      "[archive]",
      ".mar or .tar.gz to deploy, or a registry reference such as intent@PROD (default: package ./mserve.yaml)",
    )
    .argument("[version]", "version or alias, with a model name from the registry")
    .option("--id <id>", "deploy the registry version with this id")
    .option("--registry <location>", "registry folder or mlflow+http://host:5000 (default: MSERVE_REGISTRY)")
    .option("--repository <dir>", "triton: the server's model repository (needed with --url)")
    .option(
      "--smoke <text>",
      "triton: after READY, send this as the model's single input; a failure unloads it",
    )
    .option("--model-name <name>", "tfserving: name to serve the SavedModel under")
    .option("--model-version <n>", "tfserving: version folder (a positive whole number)")
    .option("--base <dir>", "tfserving: the server's base folder with models.config (needed with --url)")
    .option("--version-policy <policy>", "tfserving: latest, latest:N, all or specific:1,3")
    .option("--label <name=version>", "tfserving: a version label; repeat for more", collect, [])
    .option("--kube-context <name>", "kserve: kubectl context")
    .option("--dry-run", "kserve: print the InferenceService instead of applying it")
    .option("--config <file>", "project file to package from (default ./mserve.yaml)")
    .option("--model-store <dir>", "the server's model store (needed with --url)")
    .option("--replace", "swap in a different archive under an already deployed version")
    .option("--wait", "wait until the workers are READY (default)")
    .option("--no-wait", "return once registered")
    .addHelpText(
      "after",
      examples([
        "mserve deploy                                  # package ./mserve.yaml and deploy it",
        "mserve deploy dist/intent.mar --min-workers 2 --timeout 5m",
        "mserve deploy intent@PROD                      # the version PROD points at, from the registry",
        "mserve deploy dist/intent.mar --url http://10.0.0.5:8081 --model-store /mnt/models",
      ]),
    )
    .action(lazy(() => import("./commands/deploy.js")));

  withGlobals(withServer(program.command("models"), "30s"))
    .description("list models and versions, or describe one with its workers")
    .option("--host <host>", "kserve: Host header for the ingress")
    .argument("[model]", "name, name:version, name@ALIAS or the pair name ALIAS")
    .argument("[version]", "version or alias")
    .option("--id <id>", "the registry version with this id")
    .option("--registry <location>", "registry folder or mlflow+http://host:5000 (default: MSERVE_REGISTRY)")
    .addHelpText(
      "after",
      examples(["mserve models", "mserve models intent", "mserve models intent:2 -o json"]),
    )
    .action(lazy(() => import("./commands/models.js")));

  withGlobals(withWorkers(withServer(program.command("register"), "180s")))
    .description("register an archive already in the model store (or at a URL) without copying it")
    .argument("<url>", "file name in the model store, or http(s):// URL of a .mar")
    .option("--model-name <name>", "name to register under (default: from the manifest)")
    .option("--no-wait", "do not wait for workers")
    .action(lazy(() => import("./commands/register.js")));

  withGlobals(withServer(program.command("unregister"), "130s"))
    .description("remove a model version from the server (asks first; --yes in scripts)")
    .argument("<model>", "name or name:version (no version: the default version)")
    .argument("[version]", "version, as an alternative to name:version")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--keep-archive", "leave the archive mserve copied into the model store")
    .action(lazy(() => import("./commands/unregister.js")));

  withGlobals(withServer(program.command("scale"), "120s"))
    .description("set the number of workers of a model version")
    .argument("<model>", "name or name:version")
    .argument("[version]", "version, as an alternative to name:version")
    .option("--min <n>", "minimum workers")
    .option("--max <n>", "maximum workers (default: --min)")
    .option("--wait", "wait until --min workers are READY")
    .addHelpText("after", examples(["mserve scale intent:1 --min 2 --max 2 --wait"]))
    .action(lazy(() => import("./commands/scale.js")));

  withGlobals(withServer(program.command("set-default"), "30s"))
    .description("make a version the default one for /predictions/NAME")
    .argument("<model>", "model name (or name:version)")
    .argument("[version]", "version to make the default")
    .action(lazy(() => import("./commands/set-default.js")));

  withGlobals(withInput(withServer(program.command("predict"), "60s"), { fileHint: " (images, audio, …)" }))
    .description("send a prediction to a version or alias (registering it first if the server lacks it)")
    .argument("[model]", "intent (server default), intent:3, intent@PROD, or the pair intent PROD")
    .argument("[version]", "version or alias")
    .option("--request-id <id>", "request id to send (default: a new UUID)")
    .option(
      "-i, --input <name=value>",
      "triton: a named input (JSON value, text, or @file.json); repeat per input",
      collect,
      [],
    )
    .option("--version <version>", "version or alias, as an alternative to the second argument")
    .option("--host <host>", "kserve: Host header for the ingress, e.g. intent.default.example.com")
    .addOption(
      new Option("--protocol <version>", "kserve: v1 (:predict) or v2 (/infer); default v1").choices([
        "v1",
        "v2",
      ]),
    )
    .option("--id <id>", "the registry version with this id")
    .option("--batch <file.jsonl>", "one input per line (a JSON string is sent as text); - for stdin")
    .option("-c, --concurrency <n>", "requests in flight with --batch (default 4)")
    .option("--group-id <id>", "group id for the prediction log (default with --batch: a new UUID)")
    .option("--no-auto-register", "fail (exit 4) instead of registering a registry version the server lacks")
    .option("--no-log-output", "keep model outputs out of the prediction log")
    .option("--registry <location>", "registry folder or mlflow+http://host:5000 (default: MSERVE_REGISTRY)")
    .addHelpText(
      "after",
      examples([
        "mserve predict intent --data 'set a timer for ten minutes'",
        "mserve predict intent PROD --data 'play some jazz'      # alias from the registry",
        'mserve predict intent:2 --json \'{"text": "play some jazz"}\' -o json',
        "mserve predict intent@PROD --batch inputs.jsonl -c 8 > outputs.jsonl",
        "mserve predict intent --target triton --data 'play some jazz'          # v2 infer; shapes from metadata",
        "mserve predict identity --target triton -i INPUT0='[[1,2,3]]'",
        "mserve predict intent --target kserve --url http://ingress --host intent.default.example.com --protocol v2 --data 'hi'",
      ]),
    )
    .action(lazy(() => import("./commands/predict.js")));

  withGlobals(withInput(withServer(program.command("bench"), "30s")))
    .description("measure latency percentiles and throughput of a served model across concurrency levels")
    .argument("<model>", "name, name:version, name@ALIAS or the pair name ALIAS")
    .argument("[version]", "version or alias (default: the server's default version)")
    .option("--id <id>", "the registry version with this id")
    .option("--registry <location>", "registry folder or mlflow+http://host:5000 (default: MSERVE_REGISTRY)")
    .option("--batch <file.jsonl>", "one body per line (a JSON string is sent as text), cycled through")
    .option("-c, --concurrency <list>", "concurrency levels, run in turn", "1,2,4,8,16")
    .option("--duration <duration>", "measured time per level (default 20s)")
    .option("-n, --requests <n>", "measured requests per level, instead of --duration")
    .option("--warmup <duration>", "un-measured warm-up per level", "3s")
    .option("--rate <r>", "open loop: requests per second on a fixed schedule (latency includes queueing)")
    .option("--request-timeout <duration>", "per-request limit; a slower answer counts as a timeout", "30s")
    .option("--csv <file>", "also write the figures as CSV")
    .addHelpText(
      "after",
      examples([
        "mserve bench intent --data 'set a timer' -c 1,2,4,8 --duration 10s",
        "mserve bench intent 2 --batch fixtures/intent/samples.jsonl -o json > bench.json",
        "mserve bench intent --data hi -c 16 --rate 200 --duration 30s",
      ]),
    )
    .action(lazy(() => import("./commands/bench.js")));

  const registry = withGlobals(program.command("registry"))
    .description("the model registry: versions, ids and artifacts that releases and predict resolve against")
    .addHelpText(
      "after",
      examples([
        "mserve registry push dist/intent.mar --tag git=$(git rev-parse --short HEAD)",
        "mserve registry list intent",
        "mserve registry show intent@PROD",
        "MSERVE_REGISTRY=mlflow+http://127.0.0.1:5000 mserve registry list",
      ]),
    );
  withGlobals(withRegistryFlag(registry.command("push")))
    .description("store an artifact under its name and version (same bytes twice: nothing new stored)")
    .argument(
      "<artifact>",
      ".mar / .tar.gz (name and version from its manifest) or any file with --name/--version",
    )
    .option("--name <name>", "model name (TorchServe archives: must match the manifest)")
    .option("--version <version>", "model version (TorchServe archives: must match the manifest)")
    .option("--description <text>", "free text shown by `registry show`")
    .option("--tag <key=value>", "metadata tag; repeat for more", collect, [])
    .action(lazy(() => import("./commands/registry-push.js")));
  withGlobals(withRegistryFlag(registry.command("list")))
    .description("list models, or the versions of one with ids and aliases")
    .argument("[name]", "model name")
    .action(lazy(() => import("./commands/registry-list.js")));
  withGlobals(withRegistryFlag(registry.command("show")))
    .description("show a version's metadata, aliases, artifact location and hash")
    .argument("[ref]", "intent, intent:3, intent@PROD or the pair intent PROD")
    .argument("[version-or-alias]", "second word of the pair form")
    .option("--id <id>", "select the version by id")
    .action(lazy(() => import("./commands/registry-show.js")));
  withGlobals(withRegistryFlag(registry.command("rm")))
    .description("remove a version (refused while an alias points at it)")
    .argument("[ref]", "intent:3 or intent 3")
    .argument("[version]", "version, as an alternative to name:version")
    .option("--id <id>", "select the version by id")
    .option("--reason <text>", "recorded in the history")
    .option("-y, --yes", "do not ask for confirmation")
    .action(lazy(() => import("./commands/registry-rm.js")));
  withGlobals(withRegistryFlag(registry.command("verify")))
    .description("re-hash every artifact; exit 3 when one is missing or corrupt; list leftovers")
    .option("--prune", "delete leftovers older than an hour (unused blobs, temp files of killed pushes)")
    .action(lazy(() => import("./commands/registry-verify.js")));
  withGlobals(withRegistryFlag(registry.command("history")))
    .description("pushes, removals and alias moves of a model, oldest first")
    .argument("<name>", "model name")
    .option("--alias <alias>", "only this alias's moves")
    .action(lazy(() => import("./commands/registry-history.js")));

  withGlobals(withRegistryFlag(program.command("release")))
    .description("point an alias (PROD, STG, …) at a version; predict and bench follow it")
    .argument("<model>", "model name (or name:version)")
    .argument("[version]", "version to release")
    .requiredOption("--as <alias>", "alias to move, e.g. PROD")
    .option("--reason <text>", "recorded in the alias history")
    .addOption(
      new Option(
        "--target <server>",
        "tfserving: move a version_labels entry in models.config instead",
      ).choices(["tfserving"]),
    )
    .option("--base <dir>", "tfserving: the base folder holding models.config (default ./models)")
    .addHelpText(
      "after",
      examples([
        "mserve release intent 3 --as PROD --reason 'beats 2 on the eval set'",
        "mserve release linear 2 --as stable --target tfserving --base models",
      ]),
    )
    .action(lazy(() => import("./commands/release.js")));

  withGlobals(withRegistryFlag(program.command("rollback")))
    .description("move an alias back to the version it pointed at before its last move")
    .argument("<model>", "model name")
    .requiredOption("--alias <alias>", "alias to roll back, e.g. PROD")
    .option("--reason <text>", "recorded in the alias history")
    .action(lazy(() => import("./commands/rollback.js")));

  withGlobals(program.command("feedback"))
    .description("attach a label (and a comment) to a logged prediction")
    .argument("<request-id>", "request id printed by predict")
    .requiredOption("--label <label>", "what the right answer was, or a verdict such as correct/wrong")
    .option("--comment <text>", "free text")
    .action(lazy(() => import("./commands/feedback.js")));

  withGlobals(program.command("doctor"))
    .description("check Java, TorchServe, Python packages, ports, docker and the state folder")
    .action(lazy(() => import("./commands/doctor.js")));

  withGlobals(program.command("completion"))
    .description("print a shell completion script")
    .addArgument(program.createArgument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
    .addHelpText(
      "after",
      examples([
        "mserve completion bash > /etc/bash_completion.d/mserve",
        "mserve completion zsh > ~/.zfunc/_mserve",
        "mserve completion fish > ~/.config/fish/completions/mserve.fish",
      ]),
    )
    .action(lazy(() => import("./commands/completion.js")));
}
