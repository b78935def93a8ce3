import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readPredictInput } from "../../src/predict/input.js";

describe("readPredictInput", () => {
  it("--data is sent as UTF-8 text", async () => {
    const input = await readPredictInput({ data: "héllo" }, "/");
    expect(input.body.toString()).toBe("héllo");
    expect(input.contentType).toBe("text/plain; charset=utf-8");
  });
  it("--file is sent as bytes with a type from the extension", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mserve-input-"));
    await writeFile(join(dir, "x.png"), Buffer.from([0x89, 0x50]));
    const input = await readPredictInput({ file: "x.png" }, dir);
    expect([...input.body]).toEqual([0x89, 0x50]);
    expect(input.contentType).toBe("image/png");
  });
  it("--json accepts inline, @file and @- and checks it parses", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mserve-input-"));
    await writeFile(join(dir, "in.json"), '{"text": "a"}');
    expect((await readPredictInput({ json: '{"a":1}' }, dir)).contentType).toBe("application/json");
    expect((await readPredictInput({ json: "@in.json" }, dir)).body.toString()).toBe('{"text": "a"}');
    expect(
      (await readPredictInput({ json: "@-" }, dir, Readable.from(['{"b":', "2}"]))).body.toString(),
    ).toBe('{"b":2}');
    await expect(readPredictInput({ json: "{nope" }, dir)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(readPredictInput({ json: "@missing.json" }, dir)).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
  });
  it("needs exactly one input", async () => {
    await expect(readPredictInput({}, "/")).rejects.toMatchObject({ code: "USAGE" });
    await expect(readPredictInput({ data: "a", json: "{}" }, "/")).rejects.toThrow(/--data and --json/);
  });
});
