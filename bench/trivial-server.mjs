// The "instant" server for the client-overhead benchmark: answers every POST
// with a fixed JSON body, and GET /models/<name> with a TorchServe describe body
// recorded from the real server (mserve bench checks the model exists first).
// An optional first argument delays every POST answer by that many ms, so that
// latencies are large enough for autocannon's millisecond resolution. An optional second
// argument replaces the describe body's modelUrl: a release check compares the digest its
// store file name carries with the registry's.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const recorded = JSON.parse(
  readFileSync(new URL("../test/fixtures/recorded/torchserve/describe.json", import.meta.url), "utf8"),
).body;
if (process.argv[3]) for (const model of recorded) model.modelUrl = process.argv[3];
const describe = JSON.stringify(recorded);
const answer = JSON.stringify({ intent: "set_timer", score: 0.99 });
const delayMs = Number(process.argv[2] ?? 0);
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const isDescribe = req.method === "GET" && req.url?.startsWith("/models/");
    const body = isDescribe ? describe : answer;
    const reply = () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    };
    if (delayMs > 0 && !isDescribe) setTimeout(reply, delayMs);
    else reply();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
