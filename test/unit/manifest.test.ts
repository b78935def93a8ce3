import { describe, expect, it } from "vitest";
import { buildManifest, formatCreatedOn, serializeManifest } from "../../src/targets/torchserve/manifest.js";

describe("MANIFEST.json", () => {
  const now = new Date(2026, 10, 5, 7, 3, 9);

  it("formats createdOn like Python's %d/%m/%Y %H:%M:%S in local time", () => {
    expect(formatCreatedOn(now)).toBe("05/11/2026 07:03:09");
  });

  it("keeps upstream's key order, omits absent keys and has no trailing newline", () => {
    const text = serializeManifest(
      buildManifest(
        { modelName: "intent", modelVersion: "1", handler: "h.py", runtime: "python", configFile: "c.yaml" },
        now,
      ),
    );
    expect(text).toBe(
      '{\n  "createdOn": "05/11/2026 07:03:09",\n  "runtime": "python",\n  "model": {\n    "modelName": "intent",\n    "handler": "h.py",\n    "modelVersion": "1",\n    "configFile": "c.yaml"\n  },\n  "archiverVersion": "0.12.0"\n}',
    );
  });

  it("escapes non-ASCII and DEL the way json.dumps(ensure_ascii=True) does", () => {
    const text = serializeManifest(
      buildManifest(
        { modelName: "m", modelVersion: "1", handler: "caf\u00e9\u007f\u{1f600}.py", runtime: "python" },
        now,
      ),
    );
    expect(text).toContain('"handler": "caf\\u00e9\\u007f\\ud83d\\ude00.py"');
  });
});
