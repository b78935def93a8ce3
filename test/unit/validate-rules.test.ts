import { describe, expect, it } from "vitest";
import type { ArtifactListing, ListedEntry } from "../../src/targets/torchserve/artifact-listing.js";
import { validateMarListing } from "../../src/targets/torchserve/validate-rules.js";

const entry = (name: string, over: Partial<ListedEntry> = {}): ListedEntry => ({
  name,
  size: 1,
  compressedSize: 1,
  method: "deflated",
  isDirectory: false,
  isSymlink: false,
  encrypted: false,
  local: { name, method: 8, dataDescriptor: false },
  ...over,
});

const manifest = (model: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  JSON.stringify({
    createdOn: "01/01/2026 00:00:00",
    runtime: "python",
    model,
    archiverVersion: "0.12.0",
    ...top,
  });

const good = { modelName: "intent", modelVersion: "1", handler: "handler.py", serializedFile: "model.pt" };

function listing(over: Partial<ArtifactListing> = {}): ArtifactListing {
  return {
    path: "/x/intent.mar",
    kind: "zip",
    bytes: 100,
    entries: [entry("model.pt"), entry("handler.py"), entry("MAR-INF/MANIFEST.json")],
    manifestEntry: "MAR-INF/MANIFEST.json",
    manifestText: manifest(good),
    ...over,
  };
}

const rules = (l: ArtifactListing) => validateMarListing(l).map((d) => `${d.severity}:${d.rule}`);

describe("validate rules", () => {
  it("accepts a well-formed archive", () => {
    expect(validateMarListing(listing())).toEqual([]);
  });

  it("accepts built-in handlers and handler:function forms", () => {
    expect(rules(listing({ manifestText: manifest({ ...good, handler: "text_classifier" }) }))).toEqual([]);
    expect(rules(listing({ manifestText: manifest({ ...good, handler: "handler:handle" }) }))).toEqual([]);
    expect(rules(listing({ manifestText: manifest({ ...good, handler: "handler.py:handle" }) }))).toEqual([]);
  });

  it.each([
    ["no manifest", { manifestText: undefined, manifestEntry: undefined }, "error:manifest-missing"],
    ["broken JSON", { manifestText: "{nope" }, "error:manifest-json"],
    ["no model object", { manifestText: JSON.stringify({ runtime: "python" }) }, "error:manifest-model"],
    ["a bad runtime", { manifestText: manifest(good, { runtime: "java" }) }, "error:runtime"],
    ["a missing name", { manifestText: manifest({ ...good, modelName: undefined }) }, "error:model-name"],
    ["a name with ..", { manifestText: manifest({ ...good, modelName: "a..b" }) }, "error:model-name"],
    [
      "a version with a slash",
      { manifestText: manifest({ ...good, modelVersion: "1/2" }) },
      "error:model-version",
    ],
    [
      "a handler not in the archive",
      { manifestText: manifest({ ...good, handler: "other.py" }) },
      "error:handler",
    ],
    ["no handler", { manifestText: manifest({ ...good, handler: undefined }) }, "error:handler"],
    [
      "a missing weights file",
      { manifestText: manifest({ ...good, serializedFile: "gone.pt" }) },
      "error:missing-file",
    ],
    ["a zip not named .mar", { path: "/x/intent.zip" }, "error:zip-without-mar-suffix"],
    [
      "a stored entry with a data descriptor",
      {
        entries: [
          entry("model.pt", { local: { name: "model.pt", method: 0, dataDescriptor: true } }),
          entry("handler.py"),
          entry("MAR-INF/MANIFEST.json"),
        ],
      },
      "error:stored-with-data-descriptor",
    ],
    [
      "an encrypted entry",
      {
        entries: [
          entry("model.pt", { encrypted: true }),
          entry("handler.py"),
          entry("MAR-INF/MANIFEST.json"),
        ],
      },
      "error:encrypted-entry",
    ],
    [
      "a bzip2 entry",
      {
        entries: [
          entry("model.pt", { local: { name: "model.pt", method: 12, dataDescriptor: false } }),
          entry("handler.py"),
          entry("MAR-INF/MANIFEST.json"),
        ],
      },
      "error:unsupported-method",
    ],
    [
      "a local name that differs",
      {
        entries: [
          entry("model.pt", { local: { name: "evil.pt", method: 8, dataDescriptor: false } }),
          entry("handler.py"),
          entry("MAR-INF/MANIFEST.json"),
        ],
      },
      "error:local-name-mismatch",
    ],
    [
      "a zip-slip name",
      { entries: [entry("../evil"), entry("model.pt"), entry("handler.py"), entry("MAR-INF/MANIFEST.json")] },
      "error:unsafe-entry-name",
    ],
    [
      "a duplicate entry",
      {
        entries: [entry("model.pt"), entry("model.pt"), entry("handler.py"), entry("MAR-INF/MANIFEST.json")],
      },
      "error:duplicate-entry",
    ],
  ])("reports %s", (_label, over, expected) => {
    expect(rules(listing(over as Partial<ArtifactListing>))).toContain(expected);
  });

  it("reports a zip whose manifest sits under a leading folder", () => {
    const l = listing({
      entries: [entry("intent/MAR-INF/MANIFEST.json"), entry("intent/model.pt")],
      manifestEntry: undefined,
      manifestText: undefined,
    });
    expect(rules(l)).toEqual(["error:zip-leading-folder", "error:manifest-missing"]);
  });

  it("checks tgz layout: one leading folder, files resolved below it", () => {
    const tgz = listing({
      path: "/x/intent.tar.gz",
      kind: "tgz",
      entries: ["intent/model.pt", "intent/handler.py", "intent/MAR-INF/MANIFEST.json"].map((n) =>
        entry(n, { local: undefined }),
      ),
      manifestEntry: "intent/MAR-INF/MANIFEST.json",
    });
    expect(rules(tgz)).toEqual([]);
    expect(rules({ ...tgz, path: "/x/intent.mar" })).toContain("error:tgz-with-mar-suffix");
    expect(rules({ ...tgz, entries: [...tgz.entries, entry("stray.txt", { local: undefined })] })).toContain(
      "error:tgz-leading-folder",
    );
  });

  it("warns about things TorchServe only logs", () => {
    const l = listing({
      entries: [
        entry("model.pth"),
        entry("handler.py"),
        entry("requirements.txt"),
        entry("cfg.yaml"),
        entry("MAR-INF/MANIFEST.json"),
      ],
      manifestText: manifest(
        {
          ...good,
          serializedFile: "model.pth",
          handler: "text_classifier",
          requirementsFile: "requirements.txt",
          configFile: "cfg.yaml",
        },
        { archiverVersion: undefined },
      ),
      configText: "minWorkers: 0\nmaxWorkers: two\ndeviceType: neuron\n",
    });
    const found = rules(l);
    expect(found).toEqual(
      expect.arrayContaining([
        "warning:archiver-version",
        "warning:serialized-format",
        "warning:requirements-ignored",
        "warning:model-config",
      ]),
    );
    expect(found.every((r) => r.startsWith("warning:"))).toBe(true);
  });
});
