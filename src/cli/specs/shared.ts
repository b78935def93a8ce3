import { TARGET_IDS, TARGETS, type TargetId } from "../../targets/table.js";
import type { TargetDescriptor } from "../../targets/target.js";
import { opt } from "../options.js";

/** --target with the ids of every target in the table. */
export const targetOption = (description: string) =>
  opt.choice("--target <server>", description, TARGET_IDS as readonly TargetId[]);

export const registryOption = {
  registry: opt.string(
    "--registry <location>",
    "registry folder, or mlflow+http://host:5000 (default: MSERVE_REGISTRY, then $MSERVE_HOME/registry)",
  ),
} as const;

/** How a command that talks to a server picks it (targets/select.ts). */
export const serverOptions = (defaultTimeout: string) =>
  ({
    target: targetOption(
      "server kind (default: from the reference, mserve.yaml, --server, or the one running)",
    ),
    server: opt.string("--server <name>", "a server started by `mserve serve` (default: the one running)"),
    url: opt.string(
      "--url <url>",
      `a server mserve did not start: ${(Object.values(TARGETS) as TargetDescriptor[])
        .flatMap((t) => (t.help?.url ? [t.help.url] : []))
        .join(", ")}`,
    ),
    modelStore: opt.string(
      "--model-store <dir>",
      "the server's model store, repository or base folder on this machine (needed with --url to deploy)",
    ),
    timeout: opt.string("--timeout <duration>", `how long to wait (e.g. 30s, 2m; default ${defaultTimeout})`),
  }) as const;

/** The request-body flags shared by predict and bench (predict/input.ts reads them). */
export const inputOptions = (fileHint = "") =>
  ({
    data: opt.string("-d, --data <text>", "request body as text (v2 servers: a value for the single input)"),
    file: opt.string("--file <path>", `request body from a file${fileHint}`),
    json: opt.string("--json <json>", "JSON body: inline, @file or @- for stdin"),
    contentType: opt.string("--content-type <type>", "override the Content-Type sent"),
    input: opt.list(
      "-i, --input <name=value>",
      "v2 servers (triton, kserve --protocol v2): a named input (JSON value, text, or @file.json); repeat per input",
    ),
  }) as const;

export const idOption = {
  id: opt.string("--id <id>", "the registry version with this id"),
} as const;
