import { describe, expect, it } from "vitest";
import { parseSize } from "../../src/config/size.js";

describe("size flags", () => {
  it.each([
    ["1024", 1024],
    ["20GiB", 20 * 1024 ** 3],
    ["500MB", 500e6],
    ["1.5 kib", 1536],
    ["3mib", 3 * 1024 ** 2],
  ])("reads %s", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  it.each(["lots", "-1GB", "1 GiBs", ""])("rejects %j as a usage error", (text) => {
    expect(() => parseSize(text)).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
});
