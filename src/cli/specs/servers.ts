import { RUNTIMES } from "../../setup/runtimes.js";
import { targetOptions } from "../../targets/options.js";
import { TARGETS } from "../../targets/table.js";
import type { TargetDescriptor } from "../../targets/target.js";
import { arg, command, opt } from "../options.js";
import { targetOption } from "./shared.js";

export const serveSpec = command({
  name: "serve",
  description: "start a model server (local process or docker container) and wait until it is healthy",
  args: [],
  options: {
    target: targetOption("server to start (default: mserve.yaml's target, else torchserve)"),
    runtime: opt.choice("--runtime <runtime>", "how to run it", ["local", "docker"], { default: "local" }),
    name: opt.string("--name <name>", "name for ps/stop/logs and --server (default: the target's name)"),
    modelStore: opt.string(
      "--model-store <dir>",
      "folder the server loads models from: model store, repository or base (default: under $MSERVE_HOME)",
    ),
    ports: opt.string(
      "--ports <list>",
      `the target's ports in order, or auto (${(Object.values(TARGETS) as TargetDescriptor[])
        .filter((t) => t.help?.ports)
        .map((t) => `${t.id}: ${t.help?.ports}`)
        .join("; ")})`,
    ),
    image: opt.string(
      "--image <image>",
      "container image for --runtime docker (default: the target's image)",
    ),
    gpus: opt.string(
      "--gpus <list>",
      "GPUs the server may use: all, none, or nvidia-smi indexes such as 0,1 (default: all where nvidia-smi lists GPUs, else none)",
    ),
    wait: opt.negatable("--no-wait", "return once started, without waiting for health"),
    timeout: opt.string("--timeout <duration>", "how long to wait for health (default 120s)"),
    dryRun: opt.flag("--dry-run", "print the config and command without starting anything"),
    ...targetOptions("serve"),
  },
  examples: [
    "mserve serve                                   # local TorchServe on 127.0.0.1:8080-8082",
    "mserve serve --runtime docker --dry-run        # print the docker run line",
    "mserve serve --gpus 0,1 --dry-run              # only GPUs 0 and 1: config and command",
    "mserve serve --name ci --ports auto --disable-token-auth",
    "mserve serve --target triton --ports auto     # tritonserver (PATH, or nvidia-pytriton's in ./.venv-triton)",
    "mserve serve --target tfserving --base models # tensorflow_model_server on PATH, or --runtime docker",
  ],
});

export const stopSpec = command({
  name: "stop",
  description: "stop a server started by `mserve serve` (graceful, then forced)",
  args: [arg("[name]", "server name (default: the one running)")],
  options: {
    all: opt.flag("--all", "stop every recorded server"),
    timeout: opt.string("--timeout <duration>", "grace period before the server is killed", {
      default: "20s",
    }),
  },
});

export const psSpec = command({
  name: "ps",
  description: "list servers started by `mserve serve`, flagging records whose process is gone",
  args: [],
  options: {},
});

export const logsSpec = command({
  name: "logs",
  description: "print a server's log, or query the prediction log (`mserve logs predictions`)",
  args: [arg("[name]", "server name (default: the one running), or `predictions`")],
  options: {
    follow: opt.flag("-f, --follow", "keep printing new lines until Ctrl-C (text output only)"),
    tail: opt.int("-n, --tail <lines>", "lines (or predictions) from the end to show (default 100)", 0),
    model: opt.string("--model <name>", "predictions: only this model name or model id"),
    group: opt.string("--group <id>", "predictions: only this group id (one batch, or --group-id)"),
    since: opt.string(
      "--since <when>",
      "predictions: newer than a duration ago (2h, 7d) or a date (2026-11-24)",
    ),
  },
  examples: [
    "mserve logs -f",
    "mserve logs triton -n 50 -o json",
    "mserve logs predictions --model intent --since 1d",
    "mserve logs predictions --group nightly-42 -o json",
  ],
});

export const doctorSpec = command({
  name: "doctor",
  description:
    "check what each target needs (Java, TorchServe, tritonserver, TF Serving or docker, kubectl, mlserver), ports and the state folder",
  args: [],
  options: {
    target: targetOption("check only this target's prerequisites (then any failure is exit 3)"),
  },
  examples: ["mserve doctor", "mserve doctor --target triton -o json"],
});

export const completionSpec = command({
  name: "completion",
  description: "print a shell completion script",
  args: [arg("<shell>", "bash, zsh or fish", { choices: ["bash", "zsh", "fish"] })],
  options: {},
  json: false,
  jsonHint: "A completion script is shell code; redirect the text output to a file.",
  examples: [
    "mserve completion bash > /etc/bash_completion.d/mserve",
    "mserve completion zsh > ~/.zfunc/_mserve",
    "mserve completion fish > ~/.config/fish/completions/mserve.fish",
  ],
});

export const setupSpec = command({
  name: "setup",
  description:
    "install a server's Python runtime under $MSERVE_HOME/runtimes (the pinned versions mserve is tested with); serve finds it",
  args: [arg("<runtime>", "the runtime to install", { choices: Object.keys(RUNTIMES) })],
  options: {
    python: opt.string("--python <interpreter>", "Python to build the venv with (default: python3 on PATH)"),
    upgrade: opt.flag("--upgrade", "reinstall the pinned packages even when the runtime is up to date"),
  },
  examples: [
    "mserve setup torchserve && mserve serve",
    "mserve setup triton --python python3.11",
    "mserve setup mlflow -o json",
  ],
});
