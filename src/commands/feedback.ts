import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { notFound } from "../errors.js";
import { appendFeedback, checkRequestId, findPrediction } from "../predict/log.js";
import { currentActor } from "../registry/open.js";
import { createUi } from "../ui/output.js";

const flagsSchema = z.object({
  label: z.string().trim().min(1, "give a label, e.g. --label set_timer"),
  comment: z.string().optional(),
});

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  const flags = flagsSchema.parse(rawOptions);
  const ui = createUi(ctx);
  const requestId = checkRequestId(positional[0] as string);
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
    label: flags.label,
    ...(flags.comment ? { comment: flags.comment } : {}),
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
      `feedback "${flags.label}" recorded for ${requestId} (${prediction.name}${prediction.version ? `:${prediction.version}` : ""}, ${prediction.at})`,
  );
};
