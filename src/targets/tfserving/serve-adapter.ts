import { gpuSummary, launchPreview } from "../../runtime/preview.js";
import { formatDuration } from "../../ui/format.js";
import { fields } from "../../ui/view.js";
import type { ServeAdapter } from "../target.js";
import { planTfServingServe, startTfServingServe } from "./serve.js";

/** `serve --target tfserving`: models.config polled for changes, REST on 127.0.0.1. */
export const tfservingServe: ServeAdapter = {
  defaultName: "tfserving",
  async plan(request, hooks, dryRun) {
    const pollSeconds = (request.options.configPoll as number | undefined) ?? 5;
    const options = {
      name: request.name,
      runtime: request.runtime,
      base: (request.options.base as string | undefined) ?? request.modelStore,
      ports: request.ports,
      image: request.image,
      pollSeconds,
      gpus: request.gpus,
    };
    const plan = await planTfServingServe(options, hooks.env, hooks.cwd, { dryRun });
    return {
      preview: launchPreview(plan, request.gpus),
      async start(startHooks) {
        const started = await startTfServingServe(
          plan,
          { ...options, wait: request.wait, timeoutMs: request.timeoutMs, signal: startHooks.signal },
          startHooks.env,
        );
        const { record } = started;
        return {
          data: {
            ...record,
            ready: started.readyMs !== undefined,
            readyMs: started.readyMs,
            gpuChoice: gpuSummary(request.gpus),
          },
          summary: `TF Serving ${record.name} answers after ${formatDuration(started.readyMs ?? 0)}`,
          view: {
            quiet: record.name,
            blocks: [
              fields(`${record.name}  tfserving  ${record.runtime}`, [
                ["rest", record.urls.rest ?? ""],
                ["base", `${record.modelStore} (models.config re-read every ${pollSeconds}s)`],
                ["gpus", request.gpus.note],
                ["logs", `mserve logs ${record.name}`],
              ]),
            ],
          },
        };
      },
    };
  },
};
