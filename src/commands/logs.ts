import { stat } from "node:fs/promises";
import type { CommandRun } from "../cli/command.js";
import type { logsSpec } from "../cli/specs/servers.js";
import { notFound, usageError } from "../errors.js";
import { dockerLogsArgv } from "../runtime/docker.js";
import { followFile, readLogTail } from "../runtime/logs.js";
import { readRecord, recordState } from "../runtime/records.js";
import { defaultServerName } from "../runtime/servers.js";
import { createUi } from "../ui/output.js";

export const run: CommandRun<typeof logsSpec> = async ({ args, options }, ctx) => {
  if (args[0] === "predictions") return (await import("./logs-predictions.js")).run({ args, options }, ctx);
  const misplaced = (["model", "group", "since"] as const).find((k) => options[k] !== undefined);
  if (misplaced) {
    throw usageError(
      `--${misplaced} filters the prediction log`,
      `Use it as: mserve logs predictions --${misplaced} …`,
    );
  }
  if (options.follow && ctx.output === "json")
    throw usageError(
      "--follow has no JSON form",
      "Drop -o json to follow the log, or drop --follow for its tail as JSON.",
    );
  const record = await readRecord(ctx.env, args[0] ?? (await defaultServerName(ctx.env)));
  const lines = options.tail ?? 100;
  const ui = createUi(ctx);
  const live = record.runtime === "docker" && record.containerId && (await recordState(record)) === "running";
  if (live && record.containerId) {
    const { execa } = await import("execa");
    const argv = dockerLogsArgv(record.containerId, { follow: Boolean(options.follow), tail: lines });
    if (ctx.output === "json") {
      const { stdout, stderr } = await execa("docker", argv, {
        env: ctx.env,
        cancelSignal: ctx.signal,
        reject: false,
      });
      // docker logs replays the container's stdout and stderr on its own two streams.
      const text = `${stdout}${stdout && stderr ? "\n" : ""}${stderr}`;
      ui.result({ server: record.name, source: "docker", lines: text ? text.split("\n") : [] }, () => text);
      return;
    }
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
  const text = tail.endsWith("\n") || tail === "" ? tail : `${tail}\n`;
  ui.result(
    {
      server: record.name,
      source: record.logFile,
      lines: text === "" ? [] : text.replace(/\n$/, "").split("\n"),
    },
    () => text.replace(/\n$/, ""),
  );
  if (options.follow) {
    // Follows until Ctrl-C, which aborts ctx.signal; that is the normal way out.
    await followFile(record.logFile, (chunk) => ctx.stdout.write(chunk), { signal: ctx.signal, from }).catch(
      () => {},
    );
  }
};
