#!/usr/bin/env node
// Records real TorchServe 0.12.0 HTTP exchanges for mserve's tests.
//
//   node scripts/record-torchserve.mjs [--out test/fixtures/recorded/torchserve] [--keep]
//
// Starts several short-lived TorchServe instances from .venv (each in its own temp dir,
// own free ports incl. gRPC, --ncs) and writes one JSON file per case:
//   { request: {method, path, query, headers?}, status, headers, body, server, note? }
// plus `observed-*.json` files for facts that are not a single HTTP exchange (key file,
// `torchserve --stop`, port already in use, /ping during start-up, x-request-id), and index.md.
//
// Keys from key_file.json are replaced by "***" everywhere before anything is written,
// and the script refuses to finish if a key value is still present in an output file.
//
// Needs: .venv (bash scripts/setup-python.sh), Java 17, and a built mserve (npm run build)
// for packaging the fixture; falls back to the venv's torch-model-archiver without it.

import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outArg = args.indexOf("--out");
const outDir = resolve(outArg >= 0 ? args[outArg + 1] : join(repo, "test/fixtures/recorded/torchserve"));
const keep = args.includes("--keep");
const venvBin = join(repo, ".venv", "bin");
const torchserve = process.env.MSERVE_TORCHSERVE_BIN ?? join(venvBin, "torchserve");
const archiver = join(venvBin, "torch-model-archiver");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...parts) => console.error("[record]", ...parts);

// ---------------------------------------------------------------- secrets and output

/** Every key value seen in any key_file.json; redacted from everything written. */
const secrets = new Set();
function redact(text) {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

const index = []; // {file, line, status, note}
async function writeCase(name, data, summary) {
  const file = `${name}.json`;
  await writeFile(join(outDir, file), `${redact(JSON.stringify(data, null, 2))}\n`);
  index.push({ file, summary: redact(summary ?? "") });
}

function redactKeyFile(keyFile) {
  const copy = JSON.parse(JSON.stringify(keyFile));
  for (const section of Object.values(copy)) {
    if (section && typeof section === "object" && "key" in section) section.key = "***";
  }
  return copy;
}

async function readKeyFile(path) {
  const parsed = JSON.parse(await readFile(path, "utf8"));
  for (const section of Object.values(parsed)) if (section?.key) secrets.add(section.key);
  return parsed;
}

// ---------------------------------------------------------------- processes

async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise((res, rej) => {
        server.once("error", rej);
        server.listen(0, "127.0.0.1", res);
      });
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
async function waitFor(cond, ms) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) return false;
    await sleep(100);
  }
  return true;
}

const started = []; // every server, for the final clean-up

/**
 * Starts one TorchServe. mode "foreground": `torchserve --start --foreground` (the child is the
 * launcher; the JVM and workers share its process group). mode "start": detached `--start`
 * whose launcher returns at once while the JVM keeps the process group alive.
 */
async function startServer(name, opts) {
  const work = await mkdtemp(join(tmpdir(), `mserve-rec-${name}-`));
  const temp = join(work, "tmp");
  const logDir = join(work, "logs");
  const cwd = opts.cwdAbs ?? (opts.cwd ? join(work, opts.cwd) : work);
  for (const dir of [temp, logDir, cwd]) await mkdir(dir, { recursive: true });
  const [inference, management, metrics, grpcI, grpcM] = opts.ports ?? (await freePorts(5));
  const config = join(work, "config.properties");
  const lines = [
    `inference_address=http://127.0.0.1:${inference}`,
    `management_address=http://127.0.0.1:${management}`,
    `metrics_address=http://127.0.0.1:${metrics}`,
    `grpc_inference_port=${grpcI}`,
    `grpc_management_port=${grpcM}`,
    `model_store=${opts.modelStore}`,
    "default_workers_per_model=1",
    ...(opts.config ?? []),
    "",
  ];
  await writeFile(config, lines.join("\n"));
  const cli = [
    "--start",
    ...(opts.mode === "start" ? [] : ["--foreground"]),
    "--ncs",
    ...(opts.tokenAuth ? [] : ["--disable-token-auth"]),
    ...(opts.modelApi ? ["--enable-model-api"] : []),
    "--model-store",
    opts.modelStore,
    "--ts-config",
    config,
    ...(opts.models ? ["--models", ...opts.models] : []),
  ];
  const consoleLog = join(logDir, "console.log");
  const out = openSync(consoleLog, "a");
  const env = {
    ...process.env,
    PATH: `${dirname(torchserve)}${delimiter}${process.env.PATH ?? ""}`,
    TEMP: temp,
    TMPDIR: temp,
    LOG_LOCATION: logDir,
    METRICS_LOCATION: logDir,
  };
  const child = spawn(torchserve, cli, { cwd, detached: true, stdio: ["ignore", out, out], env });
  closeSync(out);
  const server = {
    name,
    work,
    cwd,
    temp,
    logDir,
    env,
    config,
    consoleLog,
    pgid: child.pid,
    child,
    exited: false,
    exitCode: undefined,
    inferenceUrl: `http://127.0.0.1:${inference}`,
    managementUrl: `http://127.0.0.1:${management}`,
    metricsUrl: `http://127.0.0.1:${metrics}`,
    ports: [inference, management, metrics, grpcI, grpcM],
    tokenAuth: !!opts.tokenAuth,
    modelApi: !!opts.modelApi,
    keyFile: join(cwd, "key_file.json"),
    startedAt: Date.now(),
  };
  server.exitPromise = new Promise((res) =>
    child.once("exit", (code, signal) => {
      server.exited = true;
      server.exitCode = code;
      server.exitSignal = signal;
      res(code);
    }),
  );
  server.consoleTail = async (n = 40) =>
    redact((await readFile(consoleLog, "utf8").catch(() => "")).split("\n").slice(-n).join("\n"));
  server.stop = async () => {
    // mode "start": the launcher has exited; the JVM still holds the group.
    signalGroup(server.pgid, "SIGTERM");
    if (!(await waitFor(() => !groupAlive(server.pgid), 20_000))) {
      signalGroup(server.pgid, "SIGKILL");
      await waitFor(() => !groupAlive(server.pgid), 5_000);
    }
  };
  started.push(server);
  return server;
}

/** Waits until the inference port answers anything at all (a 400 for a missing key counts). */
async function waitListening(server, timeoutMs = 120_000) {
  const ok = await waitFor(async () => {
    if (server.exited && !server.daemonized) return false;
    return fetch(`${server.inferenceUrl}/ping`)
      .then((r) => r.arrayBuffer().then(() => true))
      .catch(() => false);
  }, timeoutMs);
  if (!ok) throw new Error(`${server.name} did not listen:\n${await server.consoleTail()}`);
}

// ---------------------------------------------------------------- HTTP

const KEPT_HEADER_MAX = 200;
function pickHeaders(headers) {
  const out = {};
  for (const [k, v] of headers) {
    if (k === "date") continue;
    out[k.toLowerCase()] = v.length > KEPT_HEADER_MAX ? `${v.slice(0, KEPT_HEADER_MAX)}…(trimmed)` : v;
  }
  return out;
}

/**
 * One exchange. `auth` names the key used ("inference" | "management" | "API" | "wrong" | a raw
 * header value via authHeader); the recording shows which, never the value.
 */
async function call(
  server,
  api,
  method,
  path,
  { query, auth, keyFile, headers = {}, body, authHeader } = {},
) {
  const base = {
    inference: server.inferenceUrl,
    management: server.managementUrl,
    metrics: server.metricsUrl,
  }[api];
  const qs = query ? `?${new URLSearchParams(query)}` : "";
  const sendHeaders = { ...headers };
  const shownHeaders = { ...headers };
  if (auth) {
    const keys = keyFile ?? (await readKeyFile(server.keyFile));
    const key = auth === "wrong" ? "AAAAAAAA" : keys[auth].key;
    sendHeaders.authorization = `Bearer ${key}`;
    shownHeaders.authorization =
      auth === "wrong" ? "Bearer AAAAAAAA (not a key)" : `Bearer *** (${auth} key)`;
  }
  if (authHeader) {
    sendHeaders.authorization = authHeader.value;
    shownHeaders.authorization = authHeader.shown;
  }
  const response = await fetch(`${base}${path}${qs}`, { method, headers: sendHeaders, body });
  const text = await response.text();
  let parsed = text;
  const contentType = response.headers.get("content-type") ?? "";
  if (contentType.includes("json") || /^[[{]/.test(text.trim())) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (typeof parsed === "string" && parsed.length > 2000) parsed = `${parsed.slice(0, 2000)}…(trimmed)`;
  return {
    request: {
      method,
      path,
      query: query ?? {},
      ...(Object.keys(shownHeaders).length ? { headers: shownHeaders } : {}),
      ...(body !== undefined ? { body: typeof body === "string" ? body : "(binary)" } : {}),
    },
    status: response.status,
    headers: pickHeaders(response.headers),
    body: parsed,
    ...(typeof parsed === "string" ? { bodyEndsWithNewline: text.endsWith("\n") } : {}),
    server: { port: api, tokenAuth: server.tokenAuth, modelApi: server.modelApi },
  };
}

async function rec(name, server, api, method, path, opts = {}) {
  const result = await call(server, api, method, path, opts);
  if (opts.note) result.note = opts.note;
  if (opts.expect !== undefined && result.status !== opts.expect)
    log(`NOTE ${name}: expected ${opts.expect}, got ${result.status}`);
  const bodyLine =
    typeof result.body === "string"
      ? JSON.stringify(result.body.slice(0, 80))
      : JSON.stringify(result.body).slice(0, 100);
  await writeCase(
    name,
    result,
    `${method} ${api}:${path}${opts.query ? `?${new URLSearchParams(opts.query)}` : ""} → ${result.status} ${bodyLine}`,
  );
  log(name, result.status);
  return result;
}

/**
 * Polls GET /ping and GET /models/{model} every 50 ms until every worker is READY and records
 * each change of (ping status, worker statuses). Returns the timeline and the first exchanges.
 */
async function workerStartTimeline(server, model, t0, timeoutMs = 180_000) {
  const timeline = [];
  let first;
  for (;;) {
    const ping = await call(server, "inference", "GET", "/ping");
    const describe = await call(server, "management", "GET", `/models/${model}`);
    first ??= { ping, describe };
    const workers = Array.isArray(describe.body) ? (describe.body[0]?.workers ?? []) : [];
    const entry = {
      ms: Date.now() - t0,
      ping: `${ping.status} ${ping.body?.status ?? ""}`.trim(),
      workers: workers.map((w) => `${w.status} pid=${w.pid}`),
    };
    const prev = timeline.at(-1);
    if (!prev || prev.ping !== entry.ping || prev.workers.join() !== entry.workers.join())
      timeline.push(entry);
    if (workers.length > 0 && workers.every((w) => w.status === "READY")) return { timeline, first };
    if (Date.now() - t0 > timeoutMs) return { timeline, first, timedOut: true };
    await sleep(50);
  }
}

// ---------------------------------------------------------------- archives

async function buildArchives(store) {
  const scratch = await mkdtemp(join(tmpdir(), "mserve-rec-mar-"));
  const mserve = join(repo, "bin", "mserve.js");
  const config = join(repo, "fixtures/intent/mserve.yaml");
  const viaMserve = (version, dir) =>
    spawnSync(
      process.execPath,
      [mserve, "package", "--config", config, "--export-path", dir, "-v", version, "-f", "-q"],
      {
        cwd: repo,
        encoding: "utf8",
      },
    );
  const viaArchiver = (version, dir) => {
    const f = (p) => join(repo, "fixtures/intent", p);
    return spawnSync(
      archiver,
      [
        "--model-name",
        "intent",
        "-v",
        version,
        "--handler",
        join(repo, "templates/torchserve/text_classifier.py"),
        "--serialized-file",
        f("model.pt"),
        "--model-file",
        f("model.py"),
        "--extra-files",
        `${f("vocab.json")},${f("index_to_name.json")}`,
        "-r",
        f("requirements.txt"),
        "-c",
        f("model-config.yaml"),
        "--export-path",
        dir,
        "-f",
      ],
      { encoding: "utf8" },
    );
  };
  let tool = "mserve";
  for (const version of ["1", "2"]) {
    const dir = join(scratch, `v${version}`);
    await mkdir(dir);
    let result = existsSync(join(repo, "dist", "cli.js")) ? viaMserve(version, dir) : { status: 1 };
    if (result.status !== 0 || !existsSync(join(dir, "intent.mar"))) {
      tool = "torch-model-archiver";
      result = viaArchiver(version, dir);
    }
    if (result.status !== 0) throw new Error(`packaging intent v${version} failed:\n${result.stderr}`);
    await copyFile(join(dir, "intent.mar"), join(store, version === "1" ? "intent.mar" : "intent-v2.mar"));
  }
  // A function handler that reports what the worker sees: request id and request headers.
  const echoDir = join(scratch, "echo");
  await mkdir(echoDir);
  await writeFile(
    join(echoDir, "echo_handler.py"),
    `import json, logging
logger = logging.getLogger(__name__)

def handle(data, context):
    if data is None:
        return None
    out = []
    for i, _ in enumerate(data):
        headers = {k: (v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else v)
                   for k, v in (context.get_all_request_header(i) or {}).items()}
        if "authorization" in headers:
            headers["authorization"] = "(present)"
        rid = context.get_request_id(i)
        logger.info("echo-handler request_id=%s client_x_request_id=%s", rid, headers.get("x-request-id"))
        wanted = headers.get("x-echo-set-response-request-id")
        if wanted:
            context.set_response_header(i, "x-request-id", wanted)
            context.set_response_header(i, "x-echo-set", wanted)
        out.append({"contextRequestId": rid, "headers": headers})
    return out
`,
  );
  const r = spawnSync(
    archiver,
    [
      "--model-name",
      "echo",
      "-v",
      "1",
      "--handler",
      join(echoDir, "echo_handler.py"),
      "--export-path",
      store,
      "-f",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`packaging echo failed:\n${r.stderr}`);
  // A model whose worker dies while loading; maxRetryTimeoutInSec 3 makes /ping turn unhealthy fast.
  const brokenDir = join(scratch, "broken");
  await mkdir(brokenDir);
  await writeFile(
    join(brokenDir, "broken_handler.py"),
    'def handle(data, context):\n    raise RuntimeError("broken on purpose (mserve recording)")\n',
  );
  await writeFile(
    join(brokenDir, "model-config.yaml"),
    "minWorkers: 1\nmaxWorkers: 1\nmaxRetryTimeoutInSec: 3\nstartupTimeout: 20\n",
  );
  const b = spawnSync(
    archiver,
    [
      "--model-name",
      "broken",
      "-v",
      "1",
      "--handler",
      join(brokenDir, "broken_handler.py"),
      "-c",
      join(brokenDir, "model-config.yaml"),
      "--export-path",
      store,
      "-f",
    ],
    { encoding: "utf8" },
  );
  if (b.status !== 0) throw new Error(`packaging broken failed:\n${b.stderr}`);
  await rm(scratch, { recursive: true, force: true });
  return tool;
}

// ---------------------------------------------------------------- scenarios

const SENTENCE = "set a timer for ten minutes";

/** Token auth OFF, model API ON: the management and inference API cases. */
async function scenarioAuthOff(store) {
  const s = await startServer("noauth", { modelStore: store, modelApi: true });
  await waitListening(s);
  await rec("ping-healthy-no-models", s, "inference", "GET", "/ping");
  await rec("models-list-empty", s, "management", "GET", "/models");
  await rec("register-ok", s, "management", "POST", "/models", {
    query: { url: "intent.mar", initial_workers: "1", synchronous: "true" },
    expect: 200,
  });
  await rec("ping-healthy", s, "inference", "GET", "/ping");
  await rec("register-conflict", s, "management", "POST", "/models", {
    query: { url: "intent.mar", initial_workers: "1", synchronous: "true" },
    expect: 409,
  });
  await rec("register-missing-file", s, "management", "POST", "/models", {
    query: { url: "no-such-model.mar", initial_workers: "1", synchronous: "true" },
    expect: 404,
  });
  await rec("register-no-url", s, "management", "POST", "/models", {
    query: { initial_workers: "1", synchronous: "true" },
    expect: 400,
  });
  await rec("register-dotdot-url", s, "management", "POST", "/models", {
    query: { url: "../intent.mar" },
    expect: 404,
  });
  await rec("unregister-unknown", s, "management", "DELETE", "/models/nosuchmodel", { expect: 404 });
  await rec("register-version-2", s, "management", "POST", "/models", {
    query: { url: "intent-v2.mar", initial_workers: "1", synchronous: "true" },
    expect: 200,
  });
  await rec("unregister-default-version-403", s, "management", "DELETE", "/models/intent", { expect: 403 });
  await rec("describe", s, "management", "GET", "/models/intent");
  await rec("describe-all", s, "management", "GET", "/models/intent/all");
  await rec("describe-version-unknown", s, "management", "GET", "/models/intent/9", { expect: 404 });
  await rec("describe-model-unknown", s, "management", "GET", "/models/nosuchmodel", { expect: 404 });
  await rec("register-echo", s, "management", "POST", "/models", {
    query: { url: "echo.mar", initial_workers: "1", synchronous: "true" },
  });
  await rec("models-list", s, "management", "GET", "/models");
  await rec("models-list-limit-1", s, "management", "GET", "/models", { query: { limit: "1" } });
  await rec("models-list-page-2", s, "management", "GET", "/models", {
    query: { limit: "1", next_page_token: "1" },
  });
  await rec("scale-sync", s, "management", "PUT", "/models/intent/1", {
    query: { min_worker: "2", max_worker: "2", synchronous: "true" },
    expect: 200,
  });
  await rec("describe-after-scale", s, "management", "GET", "/models/intent/1");
  await rec("scale-async", s, "management", "PUT", "/models/intent/1", {
    query: { min_worker: "1", max_worker: "1", synchronous: "false" },
    expect: 202,
  });
  await rec("scale-max-below-min", s, "management", "PUT", "/models/intent/1", {
    query: { min_worker: "2", max_worker: "1" },
    expect: 400,
  });
  await rec("scale-unknown-model", s, "management", "PUT", "/models/nosuchmodel", {
    query: { min_worker: "1" },
    expect: 404,
  });
  await rec("predict", s, "inference", "POST", "/predictions/intent", { body: SENTENCE });
  await rec("predict-version-2", s, "inference", "POST", "/predictions/intent/2", { body: SENTENCE });
  await rec("predict-unknown-model", s, "inference", "POST", "/predictions/nosuchmodel", {
    body: SENTENCE,
    expect: 404,
  });
  await rec("predict-unknown-version", s, "inference", "POST", "/predictions/intent/9", {
    body: SENTENCE,
    expect: 404,
  });
  await rec("set-default", s, "management", "PUT", "/models/intent/2/set-default", { expect: 200 });
  await rec("set-default-unknown-version", s, "management", "PUT", "/models/intent/7/set-default", {
    expect: 404,
  });
  await rec("unregister-version-ok", s, "management", "DELETE", "/models/intent/1", { expect: 200 });
  await rec("scale-to-zero", s, "management", "PUT", "/models/intent/2", {
    query: { min_worker: "0", max_worker: "0", synchronous: "true" },
    expect: 200,
  });
  await rec("predict-no-workers", s, "inference", "POST", "/predictions/intent", {
    body: SENTENCE,
    expect: 503,
  });
  await rec("ping-zero-workers", s, "inference", "GET", "/ping", {
    note: "The only intent version is scaled to 0 (minWorkers 0): /ping compares healthy workers with minWorkers.",
  });
  await rec("models-on-inference-port", s, "inference", "GET", "/models", { expect: 404 });
  await rec("unknown-path", s, "management", "GET", "/nosuchpath", { expect: 404 });
  await rec("wrong-method", s, "management", "PATCH", "/models", { expect: 405 });

  // /ping and describe while a model's workers are still starting (asynchronous registration).
  const registerAsync = await call(s, "management", "POST", "/models", {
    query: { url: "intent-v2.mar", model_name: "intent-async", initial_workers: "1", synchronous: "false" },
  });
  const t0 = Date.now();
  await writeCase(
    "register-async",
    registerAsync,
    `POST management:/models?url=intent-v2.mar&model_name=intent-async&initial_workers=1&synchronous=false → ${registerAsync.status} ${JSON.stringify(registerAsync.body)}`,
  );
  const asyncStart = await workerStartTimeline(s, "intent-async", t0);
  asyncStart.first.ping.note =
    "First /ping right after POST /models ... synchronous=false, while the worker loads.";
  await writeCase(
    "ping-while-workers-start",
    asyncStart.first.ping,
    `GET /ping right after an async register, worker still loading → ${asyncStart.first.ping.status} ${JSON.stringify(asyncStart.first.ping.body)}`,
  );
  asyncStart.first.describe.note =
    "GET /models/{name} right after an async register, while its only worker loads.";
  await writeCase(
    "describe-while-workers-start",
    asyncStart.first.describe,
    `GET /models/intent-async while the worker loads → workers ${JSON.stringify(asyncStart.first.describe.body?.[0]?.workers?.map((w) => w.status))}`,
  );
  await writeCase(
    "observed-ping-after-async-register",
    {
      kind: "observation",
      timeline: asyncStart.timeline,
      timedOut: !!asyncStart.timedOut,
      note: "Changes of GET /ping and describe workers[] polled every 50 ms after POST /models?synchronous=false.",
    },
    `after async register: ${asyncStart.timeline.map((t) => `${t.ms}ms ping ${t.ping} workers [${t.workers}]`).join("; ")}`,
  );

  // x-request-id: does TorchServe echo a client-sent one?
  const clientId = "client-chosen-id-0123456789";
  const xr = {};
  for (const [label, api, method, path, body] of [
    ["ping", "inference", "GET", "/ping"],
    ["models", "management", "GET", "/models"],
    ["predict-echo", "inference", "POST", "/predictions/echo", "hello"],
    ["error-404", "management", "GET", "/models/nosuchmodel"],
  ]) {
    xr[label] = await call(s, api, method, path, { headers: { "x-request-id": clientId }, body });
  }
  await writeCase(
    "predict-echo-client-request-id",
    xr["predict-echo"],
    "POST /predictions/echo with x-request-id: client id (echo handler returns context.get_request_id and headers)",
  );
  const handlerTriesToSet = await call(s, "inference", "POST", "/predictions/echo", {
    headers: { "x-request-id": clientId, "x-echo-set-response-request-id": clientId },
    body: "hello",
  });
  await writeCase(
    "predict-echo-handler-sets-request-id",
    handlerTriesToSet,
    "handler sets response header x-request-id to the client id",
  );
  await sleep(1500); // let log appenders flush
  const logHits = {};
  for (const file of await readdir(s.logDir)) {
    const text = await readFile(join(s.logDir, file), "utf8").catch(() => "");
    const hits = text.split("\n").filter((l) => l.includes(clientId));
    const serverId = xr["predict-echo"].headers["x-request-id"];
    const serverHits = serverId ? text.split("\n").filter((l) => l.includes(serverId)) : [];
    if (hits.length || serverHits.length)
      logHits[file] = {
        linesWithClientId: hits.slice(0, 3).map((l) => l.slice(0, 300)),
        linesWithServerId: serverHits.slice(0, 3).map((l) => l.slice(0, 300)),
      };
  }
  const echoBody = xr["predict-echo"].body;
  await writeCase(
    "observed-x-request-id",
    {
      kind: "observation",
      clientSent: clientId,
      responseHeader: Object.fromEntries(
        Object.entries(xr).map(([k, v]) => [k, v.headers["x-request-id"] ?? null]),
      ),
      echoedInResponse: Object.values(xr).some((v) => v.headers["x-request-id"] === clientId),
      handlerContextRequestId: echoBody?.contextRequestId ?? null,
      handlerSeesClientHeader: echoBody?.headers?.["x-request-id"] ?? null,
      handlerContextIdEqualsResponseHeader:
        echoBody?.contextRequestId === xr["predict-echo"].headers["x-request-id"],
      handlerSetResponseHeader: {
        responseXRequestId: handlerTriesToSet.headers["x-request-id"] ?? null,
        otherHeaderSetByHandler: handlerTriesToSet.headers["x-echo-set"] ?? null,
      },
      logFiles: logHits,
      logFileNames: (await readdir(s.logDir)).sort(),
    },
    "x-request-id behaviour (response header, handler context, logs)",
  );

  // A model whose worker cannot load: synchronous register, then /ping once recovery outlasts
  // maxRetryTimeoutInSec (3 s in its model-config.yaml).
  const tSync = Date.now();
  const syncFail = await call(s, "management", "POST", "/models", {
    query: { url: "broken.mar", model_name: "broken-sync", initial_workers: "1", synchronous: "true" },
  });
  syncFail.note = `Worker raises in its handler at load time; answered after ${Math.round((Date.now() - tSync) / 1000)} s.`;
  await writeCase(
    "register-worker-fails",
    syncFail,
    `POST /models?url=broken.mar&synchronous=true, worker dies at load → ${syncFail.status} ${JSON.stringify(syncFail.body)}`,
  );
  const afterSyncFail = await call(s, "management", "GET", "/models/broken-sync");
  await writeCase(
    "describe-after-register-worker-fails",
    afterSyncFail,
    `GET /models/broken-sync after the failed synchronous register → ${afterSyncFail.status}`,
  );
  const retryAfterFail = await call(s, "management", "POST", "/models", {
    query: { url: "broken.mar", model_name: "broken-sync", initial_workers: "1", synchronous: "true" },
  });
  retryAfterFail.note =
    "Same registration again after the failed synchronous one: the model was not unregistered.";
  await writeCase(
    "register-again-after-worker-fails",
    retryAfterFail,
    `the same register again → ${retryAfterFail.status} ${JSON.stringify(retryAfterFail.body)}`,
  );
  const brokenAsync = await call(s, "management", "POST", "/models", {
    query: { url: "broken.mar", initial_workers: "1", synchronous: "false" },
  });
  const tBroken = Date.now();
  const pingTimeline = [];
  let unhealthy;
  while (Date.now() - tBroken < 90_000) {
    const ping = await call(s, "inference", "GET", "/ping");
    if (!pingTimeline.length || pingTimeline.at(-1).status !== ping.status)
      pingTimeline.push({ ms: Date.now() - tBroken, status: ping.status, body: ping.body });
    if (ping.status !== 200) {
      unhealthy = ping;
      break;
    }
    await sleep(250);
  }
  if (unhealthy) {
    unhealthy.note = "A model's worker keeps dying; maxRetryTimeoutInSec=3 in its model-config.yaml.";
    await writeCase(
      "ping-unhealthy",
      unhealthy,
      `GET /ping once a worker has been failing longer than maxRetryTimeoutInSec → ${unhealthy.status} ${JSON.stringify(unhealthy.body)}`,
    );
    const describeBroken = await call(s, "management", "GET", "/models/broken");
    await writeCase(
      "describe-broken-model",
      describeBroken,
      `GET /models/broken while its worker keeps failing → workers ${JSON.stringify(describeBroken.body?.[0]?.workers?.map((w) => w.status))}`,
    );
  }
  await writeCase(
    "observed-ping-broken-model",
    {
      kind: "observation",
      register: { status: brokenAsync.status, body: brokenAsync.body },
      timeline: pingTimeline,
    },
    `ping after registering a model whose worker dies: ${pingTimeline.map((t) => `${t.ms}ms ${t.status}`).join(", ")}`,
  );
  const unregisterBroken = await call(s, "management", "DELETE", "/models/broken");
  await writeCase(
    "unregister-broken",
    unregisterBroken,
    `DELETE /models/broken (worker failing) → ${unregisterBroken.status} ${JSON.stringify(unregisterBroken.body)}`,
  );

  await s.stop();
  await writeCase(
    "observed-stop-by-signal",
    {
      kind: "observation",
      how: "SIGTERM to the process group of `torchserve --start --foreground`",
      launcherExitCode: s.exitCode ?? null,
      launcherExitSignal: s.exitSignal ?? null,
      groupGone: !groupAlive(s.pgid),
    },
    `foreground launcher after SIGTERM to its group: exit ${s.exitCode} signal ${s.exitSignal}`,
  );
}

/** Token auth ON, model API ON, launched with `torchserve --start` (daemon) from a chosen cwd. */
async function scenarioAuthOn(store) {
  const s = await startServer("auth", {
    modelStore: store,
    modelApi: true,
    tokenAuth: true,
    mode: "start",
    cwd: "launch-cwd",
  });
  s.daemonized = true;
  await s.exitPromise; // the launcher returns at once
  const launcherOutput = await s.consoleTail();
  await waitListening(s);
  const candidates = { cwd: s.cwd, work: s.work, modelStore: store, temp: s.temp, logDir: s.logDir };
  const found = {};
  for (const [label, dir] of Object.entries(candidates))
    found[label] = existsSync(join(dir, "key_file.json"));
  const st = await stat(s.keyFile);
  const keys1 = await readKeyFile(s.keyFile);
  const keyText = await readFile(s.keyFile, "utf8");
  const tsLog = await readFile(join(s.logDir, "ts_log.log"), "utf8").catch(() => "");
  const keyLogLine = tsLog.split("\n").find((l) => l.includes("Key file located at")) ?? null;
  await writeCase(
    "observed-key-file",
    {
      kind: "observation",
      startedWith:
        "torchserve --start (no --foreground) with cwd=<work>/launch-cwd and --ts-config <work>/config.properties",
      keyFileFoundIn: found,
      mode: `0${(st.mode & 0o777).toString(8)}`,
      structure: redactKeyFile(keys1),
      rawTextShape: redact(keyText),
      keyLengths: Object.fromEntries(Object.entries(keys1).map(([k, v]) => [k, v.key.length])),
      keyCharset: Object.values(keys1).every((v) => /^[A-Za-z0-9_-]+={0,2}$/.test(v.key))
        ? "base64url"
        : "other",
      endsWithNewline: keyText.endsWith("\n"),
      tsLogLine: keyLogLine ? redact(keyLogLine.replace(s.cwd, "<cwd>")) : null,
      launcherOutput: launcherOutput.replaceAll(s.work, "<work>"),
      launcherExitCode: s.exitCode,
    },
    `key_file.json lands in the launch cwd: ${JSON.stringify(found)}, mode 0${(st.mode & 0o777).toString(8)}`,
  );

  await rec("auth-ping-no-key", s, "inference", "GET", "/ping", { expect: 400 });
  await rec("auth-ping-wrong-key", s, "inference", "GET", "/ping", { auth: "wrong", expect: 400 });
  await rec("auth-ping-inference-key", s, "inference", "GET", "/ping", { auth: "inference", expect: 200 });
  await rec("auth-ping-management-key", s, "inference", "GET", "/ping", { auth: "management", expect: 400 });
  await rec("auth-ping-lowercase-bearer", s, "inference", "GET", "/ping", {
    authHeader: { value: `bearer ${keys1.inference.key}`, shown: "bearer *** (inference key)" },
  });
  await rec("auth-ping-raw-key-no-bearer", s, "inference", "GET", "/ping", {
    authHeader: { value: keys1.inference.key, shown: "*** (inference key, no Bearer prefix)" },
  });
  await rec("auth-models-no-key", s, "management", "GET", "/models", { expect: 400 });
  await rec("auth-models-inference-key", s, "management", "GET", "/models", {
    auth: "inference",
    expect: 400,
  });
  await rec("auth-models-management-key", s, "management", "GET", "/models", {
    auth: "management",
    expect: 200,
  });
  await rec("auth-models-api-key", s, "management", "GET", "/models", { auth: "API", expect: 400 });
  await rec("auth-register-management-key", s, "management", "POST", "/models", {
    auth: "management",
    query: { url: "intent.mar", initial_workers: "1", synchronous: "true" },
    expect: 200,
  });
  await rec("auth-predict-inference-key", s, "inference", "POST", "/predictions/intent", {
    auth: "inference",
    body: SENTENCE,
  });
  const apiDescription = await call(s, "management", "GET", "/api-description");
  if (apiDescription.body && typeof apiDescription.body === "object") {
    const { openapi, info, paths } = apiDescription.body;
    apiDescription.body = {
      openapi,
      info: { title: info?.title, version: info?.version },
      paths: Object.keys(paths ?? {}),
    };
  }
  apiDescription.note =
    "OpenAPI body reduced to openapi, info.title/version and the path names; exempt from the token check";
  await writeCase(
    "auth-api-description-no-key",
    apiDescription,
    `GET management:/api-description without key → ${apiDescription.status}`,
  );
  const metrics = await call(s, "metrics", "GET", "/metrics");
  metrics.body =
    typeof metrics.body === "string" ? metrics.body.split("\n").slice(0, 4).join("\n") : metrics.body;
  metrics.note = "body cut to its first lines; the metrics port has no token check";
  await writeCase("auth-metrics-no-key", metrics, `GET metrics:/metrics without key → ${metrics.status}`);

  // Token refresh.
  const before = await readKeyFile(s.keyFile);
  const refresh = await rec("token-refresh-management", s, "management", "GET", "/token", {
    query: { type: "management" },
    auth: "API",
    keyFile: before,
  });
  const after = await readKeyFile(s.keyFile);
  const stAfter = await stat(s.keyFile);
  const oldMgmt = await call(s, "management", "GET", "/models", { auth: "management", keyFile: before });
  const newMgmt = await call(s, "management", "GET", "/models", { auth: "management", keyFile: after });
  await writeCase(
    "token-refresh-old-key-rejected",
    oldMgmt,
    `old management key after refresh → ${oldMgmt.status}`,
  );
  const refreshInf = await rec("token-refresh-inference", s, "management", "GET", "/token", {
    query: { type: "inference" },
    auth: "API",
    keyFile: after,
  });
  const after2 = await readKeyFile(s.keyFile);
  const changed = (a, b) => ({
    managementKey: a.management.key !== b.management.key,
    managementExpiration: a.management["expiration time"] !== b.management["expiration time"],
    inferenceKey: a.inference.key !== b.inference.key,
    inferenceExpiration: a.inference["expiration time"] !== b.inference["expiration time"],
    apiKey: a.API.key !== b.API.key,
  });
  await writeCase(
    "observed-token-refresh",
    {
      kind: "observation",
      refreshManagement: {
        status: refresh.status,
        body: refresh.body,
        keyFileChanged: changed(before, after),
      },
      refreshInference: {
        status: refreshInf.status,
        body: refreshInf.body,
        keyFileChanged: changed(after, after2),
      },
      oldManagementKeyAfterRefresh: oldMgmt.status,
      newManagementKeyAfterRefresh: newMgmt.status,
      modeAfterRefresh: `0${(stAfter.mode & 0o777).toString(8)}`,
      expirationBefore: before.management["expiration time"],
      expirationAfter: after.management["expiration time"],
      structureAfter: redactKeyFile(after2),
    },
    `token refresh: ${refresh.status}, body ${JSON.stringify(refresh.body)}`,
  );
  await rec("token-refresh-with-management-key", s, "management", "GET", "/token", {
    query: { type: "management" },
    auth: "management",
    expect: 400,
  });
  await rec("token-refresh-no-key", s, "management", "GET", "/token", {
    query: { type: "management" },
    expect: 400,
  });
  await rec("token-refresh-bad-type", s, "management", "GET", "/token", {
    query: { type: "bogus" },
    auth: "API",
    expect: 400,
  });
  await rec("token-refresh-no-type", s, "management", "GET", "/token", { auth: "API", expect: 400 });

  // Port already in use: a second server (own TEMP, auth on) in the SAME cwd on the same inference port.
  const keysBeforeClash = await readKeyFile(s.keyFile);
  const [m2, me2, g1, g2] = await freePorts(4);
  const dup = await startServer("portclash", {
    modelStore: store,
    tokenAuth: true,
    cwdAbs: s.cwd,
    ports: [s.ports[0], m2, me2, g1, g2],
  });
  const dupExited = await Promise.race([dup.exitPromise.then(() => true), sleep(90_000).then(() => false)]);
  const keysAfterClash = await readKeyFile(s.keyFile);
  const consoleText = redact(await readFile(dup.consoleLog, "utf8").catch(() => ""));
  const clean = (l) => l.replaceAll(dup.work, "<work>").replaceAll(s.work, "<work1>").slice(0, 300);
  const oldKeysStillWork = await call(s, "management", "GET", "/models", {
    auth: "management",
    keyFile: keysBeforeClash,
  });
  const newFileKeysWork = await call(s, "management", "GET", "/models", {
    auth: "management",
    keyFile: keysAfterClash,
  });
  await writeCase(
    "observed-port-in-use",
    {
      kind: "observation",
      started:
        "torchserve --start --foreground (token auth on, own TEMP) in the running server's cwd, with inference_address on the port the running server holds",
      exitedWithin90s: dupExited,
      launcherExitCode: dup.exitCode ?? null,
      launcherExitSignal: dup.exitSignal ?? null,
      consoleLines: consoleText
        .split("\n")
        .filter((l) => /bind|in use|Torchserve stopped|Model server started|Key file/i.test(l))
        .slice(0, 12)
        .map(clean),
      consoleTail: consoleText.split("\n").slice(-9).map(clean),
      sharedCwdKeyFile: {
        overwrittenByFailedServer: keysBeforeClash.management.key !== keysAfterClash.management.key,
        runningServerAcceptsItsOwnOldKeys: oldKeysStillWork.status,
        runningServerAcceptsKeysNowInFile: newFileKeysWork.status,
      },
    },
    `second server on a used inference port: exited=${dupExited} launcher exit code ${dup.exitCode}; key_file.json in the shared cwd overwritten: ${keysBeforeClash.management.key !== keysAfterClash.management.key}`,
  );
  await dup.stop();

  // A second start with the same TEMP (PID file) while the first runs.
  const again = spawnSync(torchserve, ["--start", "--ncs", "--model-store", store, "--ts-config", s.config], {
    cwd: s.cwd,
    env: s.env,
    encoding: "utf8",
    timeout: 60_000,
    detached: true,
  });
  // Expected to refuse before launching Java; should it ever launch one, it is in its own group.
  if (again.pid) signalGroup(again.pid, "SIGKILL");
  await writeCase(
    "observed-already-running",
    {
      kind: "observation",
      command: "torchserve --start with the same TEMP while it runs",
      stdout: again.stdout,
      exitCode: again.status,
    },
    `second --start with the same TEMP: ${JSON.stringify(again.stdout.trim())} exit ${again.status}`,
  );

  // torchserve --stop from the launch cwd with the same TEMP (the PID file lives there).
  const stopRun = spawnSync(torchserve, ["--stop"], {
    cwd: s.cwd,
    env: s.env,
    encoding: "utf8",
    timeout: 90_000,
  });
  const gone = await waitFor(() => !groupAlive(s.pgid), 30_000);
  const keyFileAfterStop = existsSync(s.keyFile);
  const stopAgain = spawnSync(torchserve, ["--stop"], {
    cwd: s.cwd,
    env: s.env,
    encoding: "utf8",
    timeout: 30_000,
  });
  await writeCase(
    "observed-torchserve-stop",
    {
      kind: "observation",
      command: "torchserve --stop (cwd = launch cwd, same TEMP/TMPDIR as the start)",
      stdout: stopRun.stdout,
      stderr: stopRun.stderr,
      exitCode: stopRun.status,
      serverGoneWithin30s: gone,
      keyFileStillThere: keyFileAfterStop,
      secondStop: { stdout: stopAgain.stdout, exitCode: stopAgain.status },
    },
    `torchserve --stop printed ${JSON.stringify(stopRun.stdout.trim())} exit ${stopRun.status}; key file left: ${keyFileAfterStop}`,
  );
  await s.stop();
}

/** Token auth ON with token_expiration_min=0.05 (3 s): expiry and refresh. */
async function scenarioExpiry(store) {
  const s = await startServer("expiry", {
    modelStore: store,
    tokenAuth: true,
    config: ["token_expiration_min=0.05"],
  });
  await waitListening(s);
  // Start-up may outlive 3 s: refresh first so the sequence starts from a fresh key.
  const initial = await readKeyFile(s.keyFile);
  await call(s, "management", "GET", "/token", {
    query: { type: "management" },
    auth: "API",
    keyFile: initial,
  });
  const fresh = await readKeyFile(s.keyFile);
  await rec("expiry-fresh-key-ok", s, "management", "GET", "/models", {
    auth: "management",
    keyFile: fresh,
    expect: 200,
  });
  await sleep(4000);
  await rec("expiry-expired-key", s, "management", "GET", "/models", {
    auth: "management",
    keyFile: fresh,
    expect: 400,
    note: "token_expiration_min=0.05 (3 s); 4 s after the key was issued",
  });
  await rec("expiry-expired-inference-key-ping", s, "inference", "GET", "/ping", {
    auth: "inference",
    keyFile: fresh,
    expect: 400,
  });
  await rec("expiry-refresh", s, "management", "GET", "/token", {
    query: { type: "management" },
    auth: "API",
    keyFile: fresh,
    expect: 200,
  });
  const refreshed = await readKeyFile(s.keyFile);
  await rec("expiry-after-refresh-ok", s, "management", "GET", "/models", {
    auth: "management",
    keyFile: refreshed,
    expect: 200,
  });
  await writeCase(
    "observed-expiry-key-file",
    {
      kind: "observation",
      config: "token_expiration_min=0.05",
      before: redactKeyFile(fresh),
      after: redactKeyFile(refreshed),
      note: "expiration = now + (long)(token_expiration_min * 60) seconds; the API key has no expiry",
    },
    "key file before/after refresh with a 3 s expiry",
  );
  await s.stop();
  const keyFileAfterSignal = existsSync(s.keyFile);
  await writeCase(
    "observed-key-file-after-signal-stop",
    { kind: "observation", keyFileStillThere: keyFileAfterSignal, how: "SIGTERM to the process group" },
    `key_file.json after a SIGTERM stop: ${keyFileAfterSignal ? "left behind" : "removed"}`,
  );
}

/** Model API OFF (the default), auth off, a model loaded at start-up; then a second server on its port. */
async function scenarioNoModelApi(store) {
  const s = await startServer("nomapi", { modelStore: store, models: ["intent=intent.mar"] });
  const t0 = Date.now();
  const before = [];
  for (;;) {
    const answer = await fetch(`${s.inferenceUrl}/ping`)
      .then((r) => r.arrayBuffer().then(() => r.status))
      .catch((error) => `connection-error ${error.cause?.code ?? error.message}`);
    if (typeof answer === "number") break;
    if (before.length === 0 || before.at(-1).ping !== answer)
      before.push({ ms: Date.now() - t0, ping: answer });
    if (s.exited || Date.now() - t0 > 180_000)
      throw new Error(`nomapi never listened:\n${await s.consoleTail()}`);
    await sleep(50);
  }
  const startup = await workerStartTimeline(s, "intent", t0);
  startup.first.ping.note =
    "First HTTP answer of /ping while the startup model (--models) still loads its worker.";
  await writeCase(
    "ping-during-startup",
    startup.first.ping,
    `GET /ping, first answer after spawn, --models worker still loading → ${startup.first.ping.status} ${JSON.stringify(startup.first.ping.body)}`,
  );
  startup.first.describe.note = "Describe at the first /ping answer after spawn.";
  await writeCase(
    "describe-during-startup",
    startup.first.describe,
    `GET /models/intent at the same moment → workers ${JSON.stringify(startup.first.describe.body?.[0]?.workers?.map((w) => w.status))}`,
  );
  await writeCase(
    "observed-ping-during-startup",
    {
      kind: "observation",
      started: "torchserve --start --foreground --models intent=intent.mar (YAML minWorkers 1), auth off",
      timeline: [...before, ...startup.timeline],
      timedOut: !!startup.timedOut,
      note: "changes of GET /ping and describe workers[] polled every 50 ms from spawn",
    },
    `from spawn: ${[...before, ...startup.timeline].map((t) => `${t.ms}ms ping ${t.ping}${t.workers ? ` workers [${t.workers}]` : ""}`).join("; ")}`,
  );
  await rec("model-api-disabled-register", s, "management", "POST", "/models", {
    query: { url: "intent-v2.mar", initial_workers: "1", synchronous: "true" },
    expect: 405,
  });
  await rec("model-api-disabled-unregister", s, "management", "DELETE", "/models/intent", { expect: 405 });
  await rec("model-api-disabled-scale", s, "management", "PUT", "/models/intent", {
    query: { min_worker: "1", max_worker: "1", synchronous: "true" },
  });
  await rec("describe-startup-model", s, "management", "GET", "/models/intent");

  await s.stop();
}

// ---------------------------------------------------------------- main

async function main() {
  if (!existsSync(torchserve)) throw new Error(`${torchserve} missing: run bash scripts/setup-python.sh`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const storeRoot = await mkdtemp(join(tmpdir(), "mserve-rec-store-"));
  const store = join(storeRoot, "model-store");
  await mkdir(store);
  const tool = await buildArchives(store);
  log(`archives built with ${tool}:`, (await readdir(store)).join(", "));
  const versionText = spawnSync(torchserve, ["--version"], { encoding: "utf8" }).stdout.trim();
  const version = versionText.match(/\d+\.\d+\.\d+\S*/)?.[0] ?? versionText;
  try {
    await scenarioAuthOff(store);
    await scenarioAuthOn(store);
    await scenarioExpiry(store);
    await scenarioNoModelApi(store);
  } finally {
    for (const s of started) await s.stop().catch(() => {});
    const leftover = spawnSync("pgrep", ["-f", "mserve-rec-"], { encoding: "utf8" }).stdout.trim();
    if (leftover) log(`WARNING: processes still mention mserve-rec-: ${leftover.split("\n").join(", ")}`);
    if (!keep) {
      for (const s of started) await rm(s.work, { recursive: true, force: true }).catch(() => {});
      await rm(storeRoot, { recursive: true, force: true });
    }
  }
  // Nothing secret may leave this script.
  for (const file of await readdir(outDir)) {
    const text = await readFile(join(outDir, file), "utf8");
    for (const secret of secrets) if (text.includes(secret)) throw new Error(`${file} still contains a key`);
  }
  const md = [
    "# Recorded TorchServe responses",
    "",
    `Recorded by \`node scripts/record-torchserve.mjs\` against a real TorchServe ${version} (${new Date().toISOString().slice(0, 10)}), .mar files built with ${tool}.`,
    "HTTP cases: `{request: {method, path, query, headers?}, status, headers, body, server}`; `headers` are the response headers, lower-cased, `date` dropped.",
    '`observed-*.json` (`kind: "observation"`) hold facts that are not one exchange. Every key from key_file.json is replaced by `***`.',
    "",
    "| file | what |",
    "|---|---|",
    ...index.map((e) => `| ${e.file} | ${e.summary.replaceAll("|", "\\|").replaceAll("\n", " ")} |`),
    "",
  ].join("\n");
  await writeFile(join(outDir, "index.md"), md);
  log(`wrote ${index.length} files to ${relative(repo, outDir)}`);
}

main().catch(async (error) => {
  console.error(error);
  for (const s of started) await s.stop().catch(() => {});
  process.exitCode = 1;
});
