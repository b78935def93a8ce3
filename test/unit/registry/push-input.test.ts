import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileRegistry } from "../../../src/registry/file/backend.js";
import { locateRegistry, parseRegistryLocation } from "../../../src/registry/open.js";
import { describePush, parseTags } from "../../../src/registry/push-input.js";
import { actor, artifact, rejectsWith, tempDirs, throwsWith } from "./helpers.js";

const temp = tempDirs("push-input");

describe("parseTags", () => {
  it("reads key=value pairs, the value may hold = and be empty", () => {
    expect(parseTags(undefined)).toEqual({});
    expect(parseTags(["git=3f2a1c", "a/b.c-d_e=x=y", "empty=", "git=later"])).toEqual({
      git: "later",
      "a/b.c-d_e": "x=y",
      empty: "",
    });
  });

  it.each(["novalue", "=v", "bad key=v", "mserve.origin=x"])("refuses %j (USAGE)", (tag) => {
    throwsWith(() => parseTags([tag]), "USAGE");
  });
});

describe("describePush", () => {
  it("describes a plain file with --name and --version, hashing its bytes", async () => {
    const dir = await temp();
    const bytes = randomBytes(100);
    await writeFile(join(dir, "model.onnx"), bytes);
    const input = await describePush("model.onnx", dir, { name: "intent", version: "3", tags: { a: "b" } });
    const expected = await artifact(await temp(), "intent", "3", bytes);
    expect(input).toMatchObject({
      path: join(dir, "model.onnx"),
      name: "intent",
      version: "3",
      target: "any",
      format: "file",
      sha256: expected.sha256,
      size: 100,
      tags: { a: "b" },
    });
    const registry = new FileRegistry(await temp());
    expect((await registry.push(input, actor)).storedBytes).toBe(100);
  });

  it("needs --name and --version for a plain file, refuses folders and missing files", async () => {
    const dir = await temp();
    await writeFile(join(dir, "model.onnx"), "x");
    await mkdir(join(dir, "folder"));
    await rejectsWith(describePush("model.onnx", dir, { name: "intent", tags: {} }), "USAGE");
    await rejectsWith(describePush("folder", dir, { name: "i", version: "1", tags: {} }), "INVALID_INPUT");
    await rejectsWith(describePush("missing", dir, { name: "i", version: "1", tags: {} }), "INVALID_INPUT");
  });
});

describe("registry location", () => {
  it("parses a folder or an mlflow URL, refusing other schemes", () => {
    expect(parseRegistryLocation("mlflow+http://host:5000/", "/cwd")).toEqual({
      backend: "mlflow",
      url: "http://host:5000",
    });
    expect(parseRegistryLocation("reg", "/cwd")).toEqual({ backend: "file", path: "/cwd/reg" });
    expect(parseRegistryLocation("/abs/reg", "/cwd")).toEqual({ backend: "file", path: "/abs/reg" });
    throwsWith(() => parseRegistryLocation("s3://bucket/reg", "/cwd"), "USAGE");
  });

  it("prefers the flag, then MSERVE_REGISTRY, then config.yaml, then $MSERVE_HOME/registry", async () => {
    const home = await temp();
    const env = { MSERVE_HOME: home };
    expect(await locateRegistry(undefined, env, "/cwd")).toEqual({
      backend: "file",
      path: join(home, "registry"),
    });
    await writeFile(join(home, "config.yaml"), "registry: { backend: file, path: shared }\n");
    expect(await locateRegistry(undefined, env, "/cwd")).toEqual({
      backend: "file",
      path: join(home, "shared"),
    });
    expect(await locateRegistry(undefined, { ...env, MSERVE_REGISTRY: "env-reg" }, "/cwd")).toEqual({
      backend: "file",
      path: "/cwd/env-reg",
    });
    expect(await locateRegistry("flag-reg", { ...env, MSERVE_REGISTRY: "env-reg" }, "/cwd")).toEqual({
      backend: "file",
      path: "/cwd/flag-reg",
    });
    await writeFile(join(home, "config.yaml"), "registry: { backend: mlflow, url: http://h:5000/ }\n");
    expect(await locateRegistry(undefined, env, "/cwd")).toEqual({ backend: "mlflow", url: "http://h:5000" });
    await writeFile(join(home, "config.yaml"), "registry: { backend: s3 }\n");
    await rejectsWith(locateRegistry(undefined, env, "/cwd"), "USAGE");
  });
});
