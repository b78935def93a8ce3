import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransport } from "../../../src/http/transport.js";

// node:https loads only when a request goes to an https:// URL: this checks that path end to end.
describe("transport over https", () => {
  const dir = mkdtempSync(join(tmpdir(), "mserve-tls-"));
  let url = "";
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    server = createServer(
      { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
      (req, res) => res.end(JSON.stringify({ secure: true, path: req.url })),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}/ping`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a certificate it cannot verify, with the TLS error code", async () => {
    const transport = createTransport({ connectTimeoutMs: 2_000, maxBodyBytes: 1_000 });
    const error = await transport
      .exchange({ method: "GET", url, headers: {} }, new URL(url), AbortSignal.timeout(5_000))
      .catch((e: NodeJS.ErrnoException) => e);
    await transport.close();
    expect((error as NodeJS.ErrnoException).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it("answers over TLS when the certificate is accepted", async () => {
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const transport = createTransport({ connectTimeoutMs: 2_000, maxBodyBytes: 1_000 });
    try {
      const response = await transport.exchange(
        { method: "GET", url, headers: {} },
        new URL(url),
        AbortSignal.timeout(5_000),
      );
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ secure: true, path: "/ping" });
    } finally {
      await transport.close();
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
  });
});
