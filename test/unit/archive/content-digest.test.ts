import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contentDigest, digestOfParts, withoutCreatedOn } from "../../../src/archive/content-digest.js";
import { sourceDate } from "../../../src/archive/source-date.js";
import { writeVersionTar } from "../../../src/archive/version-tar.js";
import { MserveError } from "../../../src/errors.js";
import { makeTgz, makeZip } from "../../helpers/make-archives.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "mserve-digest-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const manifest = (createdOn: string, version = "1") =>
  JSON.stringify({ createdOn, runtime: "python", model: { modelName: "m", modelVersion: version } }, null, 2);

describe("contentDigest", () => {
  it("is the same for a zip, a TorchServe tgz and a folder holding the same files", async () => {
    await writeFile(
      join(root, "a.mar"),
      makeZip([
        { name: "model.pt", data: "weights", method: 8 },
        { name: "MAR-INF/MANIFEST.json", data: manifest("01/01/2024 10:00:00") },
      ]),
    );
    await writeFile(
      join(root, "a.tar.gz"),
      await makeTgz([
        { name: "m/MAR-INF/MANIFEST.json", data: manifest("02/02/2025 11:11:11") },
        { name: "m/model.pt", data: "weights" },
      ]),
    );
    await mkdir(join(root, "folder", "MAR-INF"), { recursive: true });
    await writeFile(join(root, "folder", "model.pt"), "weights");
    await writeFile(join(root, "folder", "MAR-INF", "MANIFEST.json"), manifest("03/03/2026 12:12:12"));
    const zip = await contentDigest(join(root, "a.mar"));
    expect(zip).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentDigest(join(root, "a.tar.gz"), { strip: 1 })).toBe(zip);
    expect(await contentDigest(join(root, "folder"))).toBe(zip);
  });

  it("changes with a file's bytes, a name, or the manifest's other fields", async () => {
    const digest = async (entries: { name: string; data: string }[]) => {
      const path = join(root, `${Math.random()}.mar`);
      await writeFile(path, makeZip(entries));
      return contentDigest(path);
    };
    const base = await digest([
      { name: "w", data: "1" },
      { name: "MAR-INF/MANIFEST.json", data: manifest("x") },
    ]);
    expect(
      await digest([
        { name: "w", data: "2" },
        { name: "MAR-INF/MANIFEST.json", data: manifest("x") },
      ]),
    ).not.toBe(base);
    expect(
      await digest([
        { name: "v", data: "1" },
        { name: "MAR-INF/MANIFEST.json", data: manifest("x") },
      ]),
    ).not.toBe(base);
    expect(
      await digest([
        { name: "w", data: "1" },
        { name: "MAR-INF/MANIFEST.json", data: manifest("x", "2") },
      ]),
    ).not.toBe(base);
    expect(
      await digest([
        { name: "w", data: "1" },
        { name: "MAR-INF/MANIFEST.json", data: manifest("y") },
      ]),
    ).toBe(base);
  });

  it("leaves a manifest that is not JSON as it is", () => {
    expect(withoutCreatedOn(Buffer.from("not json")).toString()).toBe("not json");
    expect(JSON.parse(withoutCreatedOn(Buffer.from(manifest("z"))).toString())).not.toHaveProperty(
      "createdOn",
    );
  });
});

describe("version tars", () => {
  it("are byte-identical for the same files whatever their times and modes", async () => {
    const make = async (dir: string, mtime: Date) => {
      await mkdir(join(root, dir, "1", "sub"), { recursive: true });
      await writeFile(join(root, dir, "config.pbtxt"), 'name: "m"');
      await writeFile(join(root, dir, "1", "model.py"), "print(1)", { mode: 0o600 });
      await writeFile(join(root, dir, "1", "sub", "w.bin"), "w");
      await utimes(join(root, dir, "1", "model.py"), mtime, mtime);
    };
    await make("a", new Date(1_000_000));
    await make("b", new Date(2_000_000_000));
    const at = new Date(1_700_000_000_000);
    for (const dir of ["a", "b"])
      await writeVersionTar(
        join(root, `${dir}.tar.gz`),
        [
          { source: join(root, dir, "1"), prefix: "1" },
          { source: join(root, dir, "config.pbtxt"), prefix: "config.pbtxt" },
        ],
        at,
      );
    const [a, b] = await Promise.all(["a", "b"].map((d) => readFile(join(root, `${d}.tar.gz`))));
    expect(a?.equals(b as Buffer)).toBe(true);
    expect(await contentDigest(join(root, "a.tar.gz"))).toBe(await contentDigest(join(root, "b")));
  });
});

describe("SOURCE_DATE_EPOCH", () => {
  it("is read as seconds, absent when empty, and refused when malformed (exit 2)", () => {
    expect(sourceDate({ SOURCE_DATE_EPOCH: "1700000000" })?.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(sourceDate({ SOURCE_DATE_EPOCH: "" })).toBeUndefined();
    expect(sourceDate({})).toBeUndefined();
    expect(() => sourceDate({ SOURCE_DATE_EPOCH: "yesterday" })).toThrow(MserveError);
    const refused = (() => {
      try {
        sourceDate({ SOURCE_DATE_EPOCH: "-5" });
      } catch (error) {
        return error as MserveError;
      }
    })();
    expect(refused?.exitCode).toBe(2);
  });
});

describe("digestOfParts", () => {
  it("equals the digest of the version tar built from the same parts", async () => {
    await mkdir(join(root, "m", "2", "variables"), { recursive: true });
    await writeFile(join(root, "m", "config.pbtxt"), 'name: "m"');
    await writeFile(join(root, "m", "2", "model.onnx"), "onnx");
    await writeFile(join(root, "m", "2", "variables", "v.data"), "v");
    const parts = [
      { source: join(root, "m", "config.pbtxt"), prefix: "config.pbtxt" },
      { source: join(root, "m", "2"), prefix: "2" },
    ];
    await writeVersionTar(join(root, "m.tar.gz"), parts, new Date(0));
    const fromFiles = await digestOfParts(parts);
    expect(fromFiles).toBe(await contentDigest(join(root, "m.tar.gz")));
    await writeFile(join(root, "m", "2", "model.onnx"), "other");
    expect(await digestOfParts(parts)).not.toBe(fromFiles);
  });
});
