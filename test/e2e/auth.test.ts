import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mserve, tempProject } from "../helpers/cli.js";

/**
 * A server that answers every request with 401 (a token that expired, an
 * ingress that wants credentials): each target's client must say exit 9, the
 * same everywhere, with the server's own message.
 */
describe("401 from any target is exit 9", () => {
  let server: Server;
  let url: string;
  let dir: string;
  let cleanup: () => Promise<void>;
  const seen: string[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempProject());
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" });
      // TorchServe's error shape and the v1/v2 protocols' shape in one body: each client reads its own.
      res.end(
        JSON.stringify({ code: 401, type: "Unauthorized", message: "token expired", error: "token expired" }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await cleanup();
  });

  it.each([
    ["torchserve", ["predict", "intent", "--data", "hi", "--inference-url", "URL"]],
    ["torchserve", ["models"]],
    ["triton", ["predict", "intent", "--data", "hi"]],
    ["triton", ["models"]],
    ["tfserving", ["predict", "linear", "--data", "[[1,2,3]]"]],
    ["tfserving", ["models", "linear"]],
    ["kserve", ["predict", "intent", "--data", "hi"]],
    ["kserve", ["predict", "intent", "--protocol", "v2", "--data", "hi"]],
    ["kserve", ["models", "intent"]],
    ["triton", ["bench", "intent", "--data", "hi", "-n", "1", "-c", "1"]],
    ["mlserver", ["predict", "iris", "--data", "[[5.1, 3.5, 1.4, 0.2]]"]],
    ["mlserver", ["models"]],
  ])("%s: %j", async (target, args) => {
    const argv = [
      ...args.map((a) => (a === "URL" ? url : a)),
      "--target",
      target,
      "--url",
      url,
      "-o",
      "json",
    ];
    const result = await mserve(argv, { cwd: dir });
    expect(result.exitCode, result.stdout).toBe(9);
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe("AUTH");
    expect(error.message).toMatch(/token expired|401/);
  });
});
