import type { CommandRun } from "../cli/command.js";
import type { feedbackSpec } from "../cli/specs/registry.js";
import { notFound, usageError } from "../errors.js";
import { appendFeedback, checkRequestId, findPrediction } from "../predict/log.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof feedbackSpec> = async ({ args, options }, ctx) => {
  const { currentActor } = await import("../registry/open.js");
  const ui = createUi(ctx);
  const label = options.label.trim();
  if (!label) throw usageError("give a label, e.g. --label set_timer");
  const requestId = checkRequestId(args[0] as string);
  const prediction = await findPrediction(ctx.env, requestId);
  if (!prediction) {
    throw notFound(
      `no logged prediction has the request id ${requestId}`,
      "Request ids are printed by `mserve predict` (stderr, or requestId with -o json); see `mserve logs predictions`.",
    );
  }
  const record = {
    requestId,
    at: new Date().toISOString(),
    by: currentActor(ctx.env),
    label,
    ...(options.comment ? { comment: options.comment } : {}),
  };
  await appendFeedback(ctx.env, record);
  ui.result(
    {
      ...record,
      prediction: {
        name: prediction.name,
        version: prediction.version,
        alias: prediction.alias,
        at: prediction.at,
      },
    },
    () =>
      `feedback "${label}" recorded for ${requestId} (${prediction.name}${prediction.version ? `:${prediction.version}` : ""}, ${prediction.at})`,
  );
};
