import { dirname, join } from "node:path";
import { MserveError } from "../../errors.js";
import { readLogTail } from "../../runtime/logs.js";

export interface WorkerFailure {
  /** The exception line, e.g. `ValueError: bad input`. */
  exception: string;
  /** Where it was raised in the model's own code: `handler.py:9 in preprocess`. */
  location?: string;
  traceback: string[];
  /** Whether `location` is in the model's own code (its handler), not TorchServe's or a library's. */
  own: boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const FRAME = /^ {2}File "([^"]+)", line (\d+), in (\S+)/;

/**
 * The last Python traceback a worker of this model printed. TorchServe's
 * workers log through MODEL_LOG into model_log.log, one line per line of
 * output, tagged `W-<port>-<name>_<version>-stdout`; the HTTP answer itself
 * says only "Prediction failed" or "Failed to start workers".
 */
export async function lastWorkerFailure(
  logDir: string,
  name?: string,
  version?: string,
): Promise<WorkerFailure | undefined> {
  const tail = await readLogTail(join(logDir, "model_log.log"), 600).catch(() => "");
  // Without a name (deploy reads it from the archive) the newest traceback of any worker is the one.
  const model = name ? `${escapeRegExp(name)}_${version ? escapeRegExp(version) : "\\S+?"}` : "\\S+?";
  const worker = new RegExp(`W-\\d+-${model}-std(?:out|err) MODEL_LOG - (.*)$`);
  const lines = tail
    .split("\n")
    .map((l) => worker.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
  return causeIn(lines);
}

const CHAINED = /^(During handling of the above exception|The above exception was the direct cause)/;
/** The model's own code: not frozen importlib, not the standard library, not an installed package. */
const isOwnCode = (path: string) =>
  !path.startsWith("<") && !/site-packages|dist-packages|[\\/]lib[\\/]python\d/.test(path);

interface Block {
  traceback: string[];
  exception: string;
  frames: RegExpExecArray[];
}

/** Tracebacks from `start`, each up to its exception line; chained ones follow "During handling …". */
function blocksFrom(lines: string[], start: number): Block[] {
  const blocks: Block[] = [];
  let traceback: string[] = [];
  for (const line of lines.slice(start)) {
    if (line === "Traceback (most recent call last):") traceback = [line];
    else if (traceback.length > 0) {
      traceback.push(line);
      if (!line.startsWith(" ") && line.trim() !== "") {
        const frames = traceback.map((l) => FRAME.exec(l)).filter((m): m is RegExpExecArray => m !== null);
        blocks.push({ traceback, exception: line.trim(), frames });
        traceback = [];
      }
    }
  }
  return blocks;
}

/**
 * The exception that matters in the last failure: of a chain of tracebacks
 * (TorchServe catches the handler's ImportError and fails again with its own),
 * the last one raised in the model's own code, else the last one.
 */
function causeIn(lines: string[]): WorkerFailure | undefined {
  let start = lines.lastIndexOf("Traceback (most recent call last):");
  if (start === -1) return undefined;
  // Walk back over the chain: "… exception line", "", "During handling …", "", "Traceback …".
  for (let i = start - 1; i >= 0; i--) {
    if (CHAINED.test(lines[i] as string)) {
      const earlier = lines.lastIndexOf("Traceback (most recent call last):", i);
      if (earlier === -1) break;
      start = earlier;
      i = earlier;
    } else if (lines[i] === "Traceback (most recent call last):") break;
  }
  const blocks = blocksFrom(lines, start);
  const chosen =
    [...blocks].reverse().find((b) => b.frames.some((f) => isOwnCode(f[1] as string))) ?? blocks.at(-1);
  if (!chosen) return undefined;
  const mine = [...chosen.frames].reverse().find((f) => isOwnCode(f[1] as string));
  const frame = mine ?? chosen.frames.at(-1);
  const location = frame ? `${(frame[1] as string).split("/").pop()}:${frame[2]} in ${frame[3]}` : undefined;
  return {
    exception: chosen.exception,
    ...(location ? { location } : {}),
    traceback: chosen.traceback,
    own: mine !== undefined,
  };
}

/** A hint that fits the exception: a missing module is an install problem, anything else the handler's own. */
function hintFor(failure: WorkerFailure, when: "predict" | "load", logFile: string): string {
  const module = /^ModuleNotFoundError: No module named '([^']+)'/.exec(failure.exception)?.[1];
  if (module)
    return `The worker's Python lacks ${module}: list it in the archive's requirements file (--requirements-file, with install_py_dep_per_model=true on the server) or install it where TorchServe runs. Full traceback: ${logFile} (\`mserve logs\` shows the server's log).`;
  return when === "predict"
    ? `The handler raised while handling this request: fix it, package a new version and deploy it. Full traceback: ${logFile} (\`mserve logs\` shows the server's log).`
    : `The handler raised while loading the model. Full traceback: ${logFile} (\`mserve logs\` shows the server's log).`;
}

/**
 * A TorchServe 500/503 (or a worker that died at load) with the Python exception
 * that caused it, read from the worker's log; other errors are returned as they are.
 */
export async function withWorkerCause<E>(
  error: E,
  where: { logFile?: string; name?: string; version?: string; when: "predict" | "load" },
): Promise<E | MserveError> {
  if (!(error instanceof MserveError) || !where.logFile) return error;
  const status = (error.details as { status?: number } | undefined)?.status;
  const workerTrouble =
    (status !== undefined && status >= 500) || /worker|READY/i.test(`${error.message} ${error.hint ?? ""}`);
  if (!workerTrouble || error.code === "UNREACHABLE" || error.code === "INTERRUPTED") return error;
  const logDir = dirname(where.logFile);
  const failure = await lastWorkerFailure(logDir, where.name, where.version);
  if (!failure) return error;
  const model = where.name ? `${where.name}${where.version ? `:${where.version}` : ""}` : "the model";
  const action = where.when === "predict" ? `predict ${model}` : `loading ${model}`;
  // No frame in the model's own code: TorchServe's message stays first, the worker's exception joins it.
  if (!failure.own)
    return new MserveError(error.code, `${error.message}; the worker raised ${failure.exception}`, {
      hint: hintFor(failure, where.when, join(logDir, "model_log.log")),
      details: { ...(error.details as object), traceback: failure.traceback },
      cause: error,
    });
  return new MserveError(
    error.code === "TIMEOUT" ? "SERVER_ERROR" : error.code,
    `${action} failed: ${failure.exception}${failure.location ? ` (${failure.location})` : ""}`,
    {
      hint: hintFor(failure, where.when, join(logDir, "model_log.log")),
      details: { ...(error.details as object), traceback: failure.traceback },
      cause: error,
    },
  );
}
