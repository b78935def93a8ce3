import { stat } from "node:fs/promises";
import { execa } from "execa";
import { z } from "zod";
import type { CommandRun } from "../command-tree.js";
import { wholeNumber } from "../config/server-flags.js";
import { notFound, usageError } from "../errors.js";
import { dockerLogsArgv } from "../runtime/docker.js";
import { followFile, readLogTail } from "../runtime/logs.js";
import { readRecord, recordState } from "../runtime/records.js";

const flagsSchema = z.object({ follow: z.boolean().optional(), tail: wholeNumber("--tail", 0) });

export const run: CommandRun = async (positional, rawOptions, ctx) => {
  if (positional[0] === "predictions")
    return (await import("./logs-predictions.js")).run(positional.slice(1), rawOptions, ctx);
  const flags = flagsSchema.parse(rawOptions);
  const misplaced = ["model", "group", "since"].find((k) => rawOptions[k] !== undefined);
  if (misplaced) {
    throw usageError(
      `--${misplaced} filters the prediction log`,
      `Use it as: mserve logs predictions --${misplaced} …`,
    );
  }
  const record = await readRecord(ctx.env, positional[0] ?? "torchserve");
  const lines = flags.tail ?? 100;
  if (record.runtime === "docker" && record.containerId && (await recordState(record)) === "running") {
    const argv = dockerLogsArgv(record.containerId, { follow: Boolean(flags.follow), tail: lines });
    const child = execa("docker", argv, {
      env: ctx.env,
      cancelSignal: ctx.signal,
      reject: false,
      buffer: false,
    });
    child.stdout?.pipe(ctx.stdout, { end: false });
    child.stderr?.pipe(ctx.stderr, { end: false });
    await child;
    return;
  }
  // Follow from where the tail was read, so nothing written in between is lost.
  const from = (await stat(record.logFile).catch(() => undefined))?.size;
  const tail = await readLogTail(record.logFile, lines).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw notFound(`${record.name} has no log file yet (${record.logFile})`);
    throw error;
  });
  ctx.stdout.write(tail.endsWith("\n") || tail === "" ? tail : `${tail}\n`);
  if (flags.follow) {
    // Follows until Ctrl-C, which aborts ctx.signal; that is the normal way out.
    await followFile(record.logFile, (chunk) => ctx.stdout.write(chunk), { signal: ctx.signal, from }).catch(
      () => {},
    );
  }
};
