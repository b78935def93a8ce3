import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { readPredictInput } from "../predict/input.js";
import { formatRef, parseModelRef } from "../targets/torchserve/model-ref.js";
import { formatDuration } from "../ui/format.js";
import { createUi } from "../ui/output.js";
import { withConnection } from "./support/connection.js";

const flagsSchema = z.object({
  data: z.string().optional(),
  file: z.string().optional(),
  json: z.string().optional(),
  contentType: z.string().optional(),
  requestId: z.string().optional(),
});

function decode(body: Buffer, contentType: string | undefined): { json?: unknown; text: string } {
  const text = body.toString("utf8");
  if (contentType?.includes("json") || /^\s*[[{"]/.test(text)) {
    try {
      return { json: JSON.parse(text), text };
    } catch {}
  }
  return { text };
}

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const ref = parseModelRef(positional[0] as string, positional[1]);
  const input = await readPredictInput(flags, ctx.cwd);
  const answer = await withConnection(rawOptions, ctx, "60s", ({ client }) =>
    client.predict({ ...ref, body: input.body, contentType: input.contentType, requestId: flags.requestId }),
  );
  const decoded = decode(answer.body, answer.contentType);
  ui.info(`request ${answer.requestId} → ${formatRef(ref)} in ${formatDuration(answer.elapsedMs)}`);
  ui.result(
    {
      requestId: answer.requestId,
      ...(answer.serverRequestId && answer.serverRequestId !== answer.requestId
        ? { serverRequestId: answer.serverRequestId }
        : {}),
      model: ref.name,
      ...(ref.version ? { version: ref.version } : {}),
      status: answer.status,
      latencyMs: Math.round(answer.elapsedMs * 10) / 10,
      response: decoded.json ?? decoded.text,
    },
    () => (decoded.json === undefined ? decoded.text : JSON.stringify(decoded.json, null, 2)),
  );
};
