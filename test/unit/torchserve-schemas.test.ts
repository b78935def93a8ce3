import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  describeResponseSchema,
  errorBodySchema,
  keyFileSchema,
  modelListSchema,
  parseErrorBody,
  statusBodySchema,
} from "../../src/targets/torchserve/schemas.js";

// Recorded from a real TorchServe 0.12.0 by scripts/record-torchserve.mjs.
const dir = join(import.meta.dirname, "..", "fixtures", "recorded", "torchserve");

interface Recording {
  request: { method: string; path: string; query: Record<string, string>; headers?: Record<string, string> };
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function load<T = Recording>(name: string): T {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as T;
}

type Schema = z.ZodType | "string" | "handler";

/** Every HTTP recording: its expected status and the schema its body must satisfy. */
const cases: Record<string, [number, Schema]> = {
  // status bodies
  "ping-healthy-no-models": [200, statusBodySchema],
  "ping-healthy": [200, statusBodySchema],
  "ping-zero-workers": [200, statusBodySchema],
  "ping-while-workers-start": [200, statusBodySchema],
  "ping-during-startup": [200, statusBodySchema],
  "ping-unhealthy": [500, statusBodySchema],
  "auth-ping-inference-key": [200, statusBodySchema],
  "register-ok": [200, statusBodySchema],
  "register-version-2": [200, statusBodySchema],
  "register-echo": [200, statusBodySchema],
  "register-async": [202, statusBodySchema],
  "auth-register-management-key": [200, statusBodySchema],
  "scale-sync": [200, statusBodySchema],
  "scale-async": [202, statusBodySchema],
  "scale-to-zero": [200, statusBodySchema],
  "model-api-disabled-scale": [200, statusBodySchema],
  "set-default": [200, statusBodySchema],
  "unregister-version-ok": [200, statusBodySchema],
  "unregister-broken": [200, statusBodySchema],
  // lists
  "models-list-empty": [200, modelListSchema],
  "models-list": [200, modelListSchema],
  "models-list-limit-1": [200, modelListSchema],
  "models-list-page-2": [200, modelListSchema],
  "auth-models-management-key": [200, modelListSchema],
  "expiry-fresh-key-ok": [200, modelListSchema],
  "expiry-after-refresh-ok": [200, modelListSchema],
  // describe
  describe: [200, describeResponseSchema],
  "describe-all": [200, describeResponseSchema],
  "describe-after-scale": [200, describeResponseSchema],
  "describe-while-workers-start": [200, describeResponseSchema],
  "describe-during-startup": [200, describeResponseSchema],
  "describe-startup-model": [200, describeResponseSchema],
  "describe-broken-model": [200, describeResponseSchema],
  "describe-after-register-worker-fails": [200, describeResponseSchema],
  // errors
  "register-conflict": [409, errorBodySchema],
  "register-missing-file": [404, errorBodySchema],
  "register-no-url": [400, errorBodySchema],
  "register-dotdot-url": [404, errorBodySchema],
  "register-worker-fails": [500, errorBodySchema],
  "register-again-after-worker-fails": [409, errorBodySchema],
  "unregister-unknown": [404, errorBodySchema],
  "unregister-default-version-403": [403, errorBodySchema],
  "describe-version-unknown": [404, errorBodySchema],
  "describe-model-unknown": [404, errorBodySchema],
  "scale-max-below-min": [400, errorBodySchema],
  "scale-unknown-model": [404, errorBodySchema],
  "set-default-unknown-version": [404, errorBodySchema],
  "predict-unknown-model": [404, errorBodySchema],
  "predict-unknown-version": [404, errorBodySchema],
  "predict-no-workers": [503, errorBodySchema],
  "models-on-inference-port": [404, errorBodySchema],
  "unknown-path": [404, errorBodySchema],
  "wrong-method": [405, errorBodySchema],
  "model-api-disabled-register": [405, errorBodySchema],
  "model-api-disabled-unregister": [405, errorBodySchema],
  "auth-ping-no-key": [400, errorBodySchema],
  "auth-ping-wrong-key": [400, errorBodySchema],
  "auth-ping-management-key": [400, errorBodySchema],
  "auth-ping-lowercase-bearer": [400, errorBodySchema],
  "auth-ping-raw-key-no-bearer": [400, errorBodySchema],
  "auth-models-no-key": [400, errorBodySchema],
  "auth-models-inference-key": [400, errorBodySchema],
  "auth-models-api-key": [400, errorBodySchema],
  "token-refresh-old-key-rejected": [400, errorBodySchema],
  "token-refresh-with-management-key": [400, errorBodySchema],
  "token-refresh-no-key": [400, errorBodySchema],
  "token-refresh-bad-type": [400, errorBodySchema],
  "token-refresh-no-type": [400, errorBodySchema],
  "expiry-expired-key": [400, errorBodySchema],
  "expiry-expired-inference-key-ping": [400, errorBodySchema],
  // token refresh: 200 with a body of just "\n" (content-type application/json)
  "token-refresh-management": [200, "string"],
  "token-refresh-inference": [200, "string"],
  "expiry-refresh": [200, "string"],
  // not TorchServe's own schemas
  "auth-metrics-no-key": [200, "string"],
  "auth-api-description-no-key": [200, "handler"],
  predict: [200, "handler"],
  "predict-version-2": [200, "handler"],
  "auth-predict-inference-key": [200, "handler"],
  "predict-echo-client-request-id": [200, "handler"],
  "predict-echo-handler-sets-request-id": [200, "handler"],
};

const observations = [
  "observed-key-file",
  "observed-token-refresh",
  "observed-expiry-key-file",
  "observed-key-file-after-signal-stop",
  "observed-torchserve-stop",
  "observed-already-running",
  "observed-port-in-use",
  "observed-stop-by-signal",
  "observed-x-request-id",
  "observed-ping-during-startup",
  "observed-ping-after-async-register",
  "observed-ping-broken-model",
];

describe("recorded TorchServe 0.12.0 responses", () => {
  it("has exactly the recordings this test knows (none missing, none unchecked)", () => {
    const files = readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => file.slice(0, -5))
      .sort();
    expect(files).toEqual([...Object.keys(cases), ...observations].sort());
    expect(readdirSync(dir)).toContain("index.md");
  });

  it.each(Object.entries(cases))("%s parses with its schema", (name, [status, schema]) => {
    const recording = load(name);
    expect(recording.status).toBe(status);
    expect(recording.request.method).toMatch(/^[A-Z]+$/);
    expect(recording.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    if (schema === "string") expect(typeof recording.body).toBe("string");
    else if (schema !== "handler") {
      const result = schema.safeParse(recording.body);
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
    if (status >= 400) {
      // Errors close the connection; the body code repeats the HTTP status.
      expect(recording.headers.connection).toBe("close");
      if (schema === errorBodySchema) expect((recording.body as { code: number }).code).toBe(status);
    }
  });

  it("token failures are 400 InvalidKeyException", () => {
    for (const name of Object.keys(cases).filter((n) => /^(auth|token|expiry)-/.test(n))) {
      const { status, body } = load(name);
      if (status === 400) expect(errorBodySchema.parse(body).type).toBe("InvalidKeyException");
    }
  });

  it("a list with more models than the limit carries nextPageToken", () => {
    expect(modelListSchema.parse(load("models-list-limit-1").body).nextPageToken).toBe("1");
    expect(modelListSchema.parse(load("models-list-empty").body).nextPageToken).toBeUndefined();
  });

  it("describe keeps fields the schema does not name", () => {
    const [first] = describeResponseSchema.parse(load("describe").body);
    expect(first).toHaveProperty("maxRetryTimeoutInSec");
    expect(first?.workers[0]?.status).toBe("READY");
  });

  it("parseErrorBody reads recorded error text and ignores other bodies", () => {
    expect(parseErrorBody(`${JSON.stringify(load("register-conflict").body, null, 2)}\n`)).toMatchObject({
      code: 409,
      type: "ConflictStatusException",
    });
    expect(parseErrorBody(JSON.stringify(load("predict").body))).toBeUndefined();
    expect(parseErrorBody("\n")).toBeUndefined();
  });
});

describe("recorded key_file.json structure", () => {
  const keyFiles = () => {
    const keyFile = load<{ structure: unknown; mode: string; keyFileFoundIn: Record<string, boolean> }>(
      "observed-key-file",
    );
    const refresh = load<{ structureAfter: unknown }>("observed-token-refresh");
    const expiry = load<{ before: unknown; after: unknown }>("observed-expiry-key-file");
    return { keyFile, all: [keyFile.structure, refresh.structureAfter, expiry.before, expiry.after] };
  };

  it("parses with keyFileSchema, keys redacted", () => {
    for (const structure of keyFiles().all) {
      const parsed = keyFileSchema.parse(structure);
      expect([parsed.management.key, parsed.inference.key, parsed.API.key]).toEqual(["***", "***", "***"]);
      expect(parsed.management["expiration time"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
  });

  it("lands in the launch cwd with mode 0600", () => {
    const { keyFile } = keyFiles();
    expect(keyFile.mode).toBe("0600");
    expect(keyFile.keyFileFoundIn.cwd).toBe(true);
  });

  it("rejects a file without the API key", () => {
    expect(
      keyFileSchema.safeParse({
        management: { key: "a", "expiration time": "2026-01-01T00:00:00Z" },
        inference: { key: "b", "expiration time": "2026-01-01T00:00:00Z" },
      }).success,
    ).toBe(false);
  });
});

describe("recordings hold no key", () => {
  it("every authorization header and key value is redacted", () => {
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const match of text.matchAll(/"key": "([^"]*)"/g)) expect(match[1]).toBe("***");
      for (const match of text.matchAll(/"authorization": "([^"]*)"/g))
        expect(match[1]).toMatch(/\*\*\*|not a key/);
    }
  });
});
